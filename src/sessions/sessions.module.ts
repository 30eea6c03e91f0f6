import { Module, type FactoryProvider } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModellingSessionEntity } from './modelling-session.entity.js';
import { SessionRepository } from './session.repository.js';
import { SESSION_LIMITS, SessionsService, type SessionLimits } from './sessions.service.js';

/** The session quotas from the configuration. */
const sessionLimitsProvider: FactoryProvider<SessionLimits> = {
  provide: SESSION_LIMITS,
  useFactory: (config: AppConfig): SessionLimits => ({
    sessionsPerUser: config.quotas.sessionsPerUser,
    stateMaxBytes: config.quotas.sessionStateMaxBytes,
    storageBytesPerUser: config.quotas.sessionStoragePerUserBytes,
  }),
  inject: [CONFIG],
};

/** Modelling sessions (spec §8), each scoped to its owner. */
@Module({
  imports: [TypeOrmModule.forFeature([ModellingSessionEntity])],
  providers: [SessionRepository, SessionsService, sessionLimitsProvider],
  exports: [SessionsService, SessionRepository, SESSION_LIMITS],
})
export class SessionsModule {}
