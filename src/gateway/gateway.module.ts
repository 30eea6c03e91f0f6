import { Module } from '@nestjs/common';
import { SemanticModule } from '../semantic/semantic.module.js';
import { ChangeLogModule } from '../change-log/change-log.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ClarityGateway } from './clarity.gateway.js';
import { RequestTracker } from './request-tracker.js';

@Module({
  imports: [SemanticModule, SessionsModule, ChangeLogModule],
  providers: [ClarityGateway, RequestTracker],
  exports: [RequestTracker],
})
export class GatewayModule {}
