import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { AdminGuard, VerifiedAdmin } from '../auth/admin.guard.js';
import type { VerifiedToken } from '../auth/auth.service.js';
import { DebugEndpointsGuard } from './debug-endpoints.guard.js';
import { HeapdumpResultDto, HttpErrorDto } from './heapdump.dto.js';

/**
 * Operator endpoints of the guide's troubleshooting section. They answer 404
 * unless DEBUG_ENDPOINTS is on, and then require an admin token.
 */
@ApiTags('debug')
@ApiBearerAuth()
@Controller('debug')
@UseGuards(DebugEndpointsGuard, AdminGuard)
export class DebugController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('heapdump')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Write a V8 heap snapshot (only with DEBUG_ENDPOINTS=true; 404 otherwise)',
    description: 'Requires a JWT whose claims grant admin rights: `roles` includes "admin", or `admin: true`.',
  })
  @ApiCreatedResponse({ type: HeapdumpResultDto, description: 'Snapshot written' })
  @ApiUnauthorizedResponse({ type: HttpErrorDto, description: 'No Bearer token, or one that does not verify' })
  @ApiForbiddenResponse({ type: HttpErrorDto, description: 'The token does not grant admin rights' })
  heapdump(@VerifiedAdmin() admin: VerifiedToken): { file: string } {
    mkdirSync(this.config.logging.dir, { recursive: true });
    const file = writeHeapSnapshot(join(this.config.logging.dir, `clarity-${Date.now()}.heapsnapshot`));
    this.logger.warn(`Heap snapshot written to ${file} at the request of ${admin.sub}`, { context: 'Debug' });
    return { file };
  }
}
