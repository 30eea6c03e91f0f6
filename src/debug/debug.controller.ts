import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import {
  Controller,
  ForbiddenException,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { AuthService } from '../auth/auth.service.js';
import { extractToken } from '../auth/extract-token.js';
import { isAdmin } from '../auth/is-admin.js';

/**
 * Operator endpoints of the guide's troubleshooting section. They answer 404
 * unless DEBUG_ENDPOINTS is on, and then require an admin token.
 */
@Controller('debug')
export class DebugController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly auth: AuthService,
  ) {}

  @Post('heapdump')
  @HttpCode(201)
  async heapdump(@Headers('authorization') authorization?: string): Promise<{ file: string }> {
    if (!this.config.debugEndpoints) throw new NotFoundException();
    const token = extractToken({ headers: { authorization } });
    if (!token) throw new UnauthorizedException();
    const verified = await this.auth.verify(token).catch(() => undefined);
    if (!verified) throw new UnauthorizedException();
    if (!isAdmin(verified.claims)) throw new ForbiddenException();
    mkdirSync(this.config.logging.dir, { recursive: true });
    const file = writeHeapSnapshot(join(this.config.logging.dir, `clarity-${Date.now()}.heapsnapshot`));
    this.logger.warn(`Heap snapshot written to ${file} at the request of ${verified.sub}`, { context: 'Debug' });
    return { file };
  }
}
