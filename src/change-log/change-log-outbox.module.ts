import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChangeLogOutbox } from './change-log-outbox.js';
import { ModelChangeEntity } from './model-change.entity.js';
import { ModelChangeRepository } from './model-change.repository.js';

/**
 * The change log's durable outbox (spec §8), for the writers of the change log
 * (model updates, model/create). Its own module: it needs the global config and
 * logger, which ChangeLogModule's readers do not.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ModelChangeEntity])],
  providers: [ModelChangeRepository, ChangeLogOutbox],
  exports: [ChangeLogOutbox],
})
export class ChangeLogOutboxModule {}
