import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { AdminGuard, VerifiedAdmin } from '../auth/admin.guard.js';
import type { VerifiedToken } from '../auth/auth.service.js';
import { DebugEndpointsGuard } from './debug-endpoints.guard.js';

/**
 * Operator endpoints of the guide's troubleshooting section. They answer 404
 * unless DEBUG_ENDPOINTS is on, and then require an admin token.
 */
@Controller('debug')
@UseGuards(DebugEndpointsGuard, AdminGuard)
export class DebugController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('heapdump')
  @HttpCode(201)
  heapdump(@VerifiedAdmin() admin: VerifiedToken): { file: string } {
    mkdirSync(this.config.logging.dir, { recursive: true });
    const file = writeHeapSnapshot(join(this.config.logging.dir, `clarity-${Date.now()}.heapsnapshot`));
    this.logger.warn(`Heap snapshot written to ${file} at the request of ${admin.sub}`, { context: 'Debug' });
    return { file };
  }
}
