import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { HealthModule } from '../health/health.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { SemanticModule } from '../semantic/semantic.module.js';
import { AiHttpController } from './ai-http.js';
import { BearerTokenGuard } from './bearer-token.guard.js';
import { DefinitionDraftService } from './definition-draft.service.js';

/**
 * AI-drafted definitions (spec §10): DefinitionDraftService (used by the gateway's
 * `clarity.ai/conjure-definition` route) and the compatible HTTP route. Registers the
 * `ai` health dependency when OPENAI_API_KEY is set. Needs the global ConfigModule,
 * LoggingModule and MetricsModule.
 */
@Module({
  imports: [AuthModule, HealthModule, RedisModule, SemanticModule],
  controllers: [AiHttpController],
  providers: [DefinitionDraftService, BearerTokenGuard],
  exports: [DefinitionDraftService],
})
export class AiModule {}
