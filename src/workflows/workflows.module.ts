import { Module, type FactoryProvider } from '@nestjs/common';
import { AiModule } from '../ai/ai.module.js';
import { ArchivistModule } from '../archivist/archivist.module.js';
import { ChangeLogOutboxModule } from '../change-log/change-log-outbox.module.js';
import { SemanticModule } from '../semantic/semantic.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { WorkflowCatalog } from './workflow-catalog.js';
import { WORKFLOW_DEFINITIONS } from './workflow-definitions.js';
import { WorkflowGraphAdapter } from './workflow-graph.adapter.js';
import { WORKFLOW_CATALOG, WorkflowService } from './workflow.service.js';

/** The workflow definitions, checked once at start-up (a bad table stops the process naming the problem). */
const catalogProvider: FactoryProvider<WorkflowCatalog> = {
  provide: WORKFLOW_CATALOG,
  useFactory: () => new WorkflowCatalog(WORKFLOW_DEFINITIONS),
};

/** Guided modelling workflows (spec §9), kept in the caller's modelling session. */
@Module({
  imports: [SessionsModule, ArchivistModule, SemanticModule, ChangeLogOutboxModule, AiModule],
  providers: [catalogProvider, WorkflowGraphAdapter, WorkflowService],
  exports: [WorkflowService],
})
export class WorkflowsModule {}
