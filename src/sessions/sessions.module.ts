import { Module } from '@nestjs/common';
import { ChangeLogService } from './change-log.service.js';
import { ModelChangeRepository } from './model-change.repository.js';
import { SessionRepository } from './session.repository.js';
import { SessionsService } from './sessions.service.js';

/**
 * Modelling sessions and the model change log. The repositories use the
 * DataSource of the global DatabaseModule (which runs the migrations).
 */
@Module({
  providers: [SessionRepository, ModelChangeRepository, SessionsService, ChangeLogService],
  exports: [SessionsService, ChangeLogService],
})
export class SessionsModule {}
