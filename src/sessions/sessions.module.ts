import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModellingSessionEntity } from './modelling-session.entity.js';
import { SessionRepository } from './session.repository.js';
import { SessionsService } from './sessions.service.js';

/** Modelling sessions (spec §8), each scoped to its owner. */
@Module({
  imports: [TypeOrmModule.forFeature([ModellingSessionEntity])],
  providers: [SessionRepository, SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
