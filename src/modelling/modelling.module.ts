import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArchivistModule } from '../archivist/archivist.module.js';
import { ChangeLogOutboxModule } from '../change-log/change-log-outbox.module.js';
import { SemanticModule } from '../semantic/semantic.module.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import { ModelCreateService } from './model-create.service.js';

/** The write side of modelling: creating kinds (spec §3 `clarity.model/create`) with idempotency keys. */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKeyEntity]), ArchivistModule, SemanticModule, ChangeLogOutboxModule],
  providers: [IdempotencyKeys, ModelCreateService],
  exports: [ModelCreateService, IdempotencyKeys],
})
export class ModellingModule {}
