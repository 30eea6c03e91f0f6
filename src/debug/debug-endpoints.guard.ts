import { Inject, Injectable, NotFoundException, type CanActivate } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

/** 404 unless DEBUG_ENDPOINTS is on; runs before any token check, so a closed endpoint reveals nothing. */
@Injectable()
export class DebugEndpointsGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.debugEndpoints) throw new NotFoundException();
    return true;
  }
}
