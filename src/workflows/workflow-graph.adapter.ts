import { Injectable } from '@nestjs/common';
import { ArchivistClient } from '../archivist/archivist-client.js';
import { SemanticModelService } from '../semantic/semantic-model.service.js';
import type { WorkflowGraph } from './workflow-graph.js';

/**
 * The workflows' graph port on the services that already know the graph: the
 * semantic engine's ancestry (existence, name, supertypes at any depth) and the
 * Archivist client's cached relation-type-cone reads.
 */
@Injectable()
export class WorkflowGraphAdapter implements WorkflowGraph {
  constructor(
    private readonly models: SemanticModelService,
    private readonly archivist: ArchivistClient,
  ) {}

  async entity(uid: number): Promise<{ uid: number; name: string } | null> {
    const lineage = await this.models.lineage(uid);
    return lineage ? { uid, name: lineage.name } : null;
  }

  async lineage(uid: number): Promise<readonly number[]> {
    return (await this.models.lineage(uid))?.ancestors ?? [];
  }

  async related(uid: number, relationType: number): Promise<readonly number[]> {
    const facts = await this.archivist.relatedOnSubtypeCone(uid, relationType);
    return facts.filter((f) => f.lh_object_uid === uid).map((f) => f.rh_object_uid);
  }
}
