import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SemanticModule } from '../semantic/semantic.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ClarityGateway } from './clarity.gateway.js';
import { RequestTracker } from './request-tracker.js';

@Module({
  imports: [AuthModule, SemanticModule, SessionsModule],
  providers: [ClarityGateway, RequestTracker],
  exports: [RequestTracker],
})
export class GatewayModule {}
