import { Module } from '@nestjs/common';
import { ArchivistModule } from '../archivist/archivist.module.js';
import { ChangeLogOutboxModule } from '../change-log/change-log-outbox.module.js';
import { SemanticModelService } from './semantic-model.service.js';
import { ModelUpdateService } from './model-update.service.js';

@Module({
  imports: [ArchivistModule, ChangeLogOutboxModule],
  providers: [SemanticModelService, ModelUpdateService],
  exports: [SemanticModelService, ModelUpdateService],
})
export class SemanticModule {}
