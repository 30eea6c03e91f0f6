import { Module } from '@nestjs/common';
import { SemanticModule } from '../semantic/semantic.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ClarityGateway } from './clarity.gateway.js';
import { RequestTracker } from './request-tracker.js';

@Module({
  imports: [SemanticModule, SessionsModule],
  providers: [ClarityGateway, RequestTracker],
  exports: [RequestTracker],
})
export class GatewayModule {}
