import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SemanticModelService } from './semantic-model.service.js';
import { ModelUpdateService } from './model-update.service.js';

@Module({
  imports: [SessionsModule],
  providers: [SemanticModelService, ModelUpdateService],
  exports: [SemanticModelService, ModelUpdateService],
})
export class SemanticModule {}
