import { Module, type FactoryProvider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { HealthModule } from '../health/health.module.js';
import { SemanticModule } from '../semantic/semantic.module.js';
import { SemanticModelService } from '../semantic/semantic-model.service.js';
import { ModelUpdateService } from '../semantic/model-update.service.js';
import { ChangeLogModule } from '../change-log/change-log.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { ChangeLogService } from '../change-log/change-log.service.js';
import { AiModule } from '../ai/ai.module.js';
import { DefinitionDraftService } from '../ai/definition-draft.service.js';
import { SystemStatusService } from '../health/system-status.service.js';
import { ModellingModule } from '../modelling/modelling.module.js';
import { ModelCreateService } from '../modelling/model-create.service.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { WorkflowService } from '../workflows/workflow.service.js';
import { ClarityGateway } from './clarity.gateway.js';
import { ErrorMapper } from './error-mapper.js';
import { buildRoutes, ROUTE_TABLE, type RouteTable } from './event-routes.js';
import { OutgoingBacklogGuard } from './outgoing-backlog.js';
import { RequestMetrics } from './request-metrics.js';
import { RequestPipeline } from './request-pipeline.js';
import { RequestTracker } from './request-tracker.js';
import { SubscriptionService } from './subscriptions.js';
import { UserConnectionQuota } from './user-connection-quota.js';
import { RedisModule } from '../redis/redis.module.js';

/** The route table, built from the services the events call. */
const routeTableProvider: FactoryProvider<RouteTable> = {
  provide: ROUTE_TABLE,
  useFactory: (
    models: SemanticModelService,
    updates: ModelUpdateService,
    sessions: SessionsService,
    changeLog: ChangeLogService,
    ai: DefinitionDraftService,
    system: SystemStatusService,
    subscriptions: SubscriptionService,
    create: ModelCreateService,
    workflows: WorkflowService,
  ): RouteTable => buildRoutes({ models, updates, sessions, changeLog, ai, system, subscriptions, create, workflows }),
  inject: [
    SemanticModelService,
    ModelUpdateService,
    SessionsService,
    ChangeLogService,
    DefinitionDraftService,
    SystemStatusService,
    SubscriptionService,
    ModelCreateService,
    WorkflowService,
  ],
};

@Module({
  imports: [
    AuthModule,
    HealthModule,
    SemanticModule,
    SessionsModule,
    ChangeLogModule,
    AiModule,
    RedisModule,
    ModellingModule,
    WorkflowsModule,
  ],
  providers: [
    ClarityGateway,
    RequestTracker,
    routeTableProvider,
    OutgoingBacklogGuard,
    RequestMetrics,
    ErrorMapper,
    RequestPipeline,
    SubscriptionService,
    UserConnectionQuota,
  ],
  exports: [RequestTracker],
})
export class GatewayModule {}
