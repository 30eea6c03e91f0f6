import type { NewFact } from '../archivist/archivist-wire.js';
import type { Fact } from '../gellish/fact.js';

/**
 * The state of a session's guided workflow (spec §9), as stored in PostgreSQL
 * (modelling_session.workflow, jsonb): plain JSON, versioned by the session.
 */

export type WorkflowStatus = 'in-progress' | 'pending' | 'completed' | 'abandoned';

/**
 * A field's value: an existing entity `{uid, name}`, a new one `{uid: <temporary
 * 1..100>, name}`, or only a text (`{name}`: a definition, or another name of an
 * entity of the workflow).
 */
export interface FieldValue {
  uid?: number;
  name: string;
}

/** A child workflow that finished and filled a field of its parent. */
export interface FinishedChild {
  workflowId: string;
  fields: Record<string, FieldValue>;
  children: Record<string, FinishedChild>;
}

/** One open workflow of the tree (the root, or a child started by `branch`). */
export interface WorkflowFrame extends FinishedChild {
  stepIndex: number;
  /** For a child: the parent's field it fills when it finishes. */
  fills?: string;
}

/** A new entity of the submission: the field that named it and its temporary uid. */
export interface PlannedEntity {
  field: string;
  temporaryUid: number;
  name: string;
}

/** Recorded in the session before the submission is sent, so a later finalize never sends it twice. */
export interface WorkflowSubmission {
  id: string;
  facts: NewFact[];
  entities: PlannedEntity[];
  recordedAt: string;
}

export interface CreatedEntity {
  field: string;
  uid: number;
  name: string;
}

/** What finalize answers, and answers again. */
export interface WorkflowResult {
  facts: Fact[];
  created: CreatedEntity[];
}

export interface WorkflowState {
  status: WorkflowStatus;
  /** The open workflows, root first. */
  stack: WorkflowFrame[];
  /** The next temporary uid to hand out (1..100, over the whole tree). */
  nextTemporaryUid: number;
  submission?: WorkflowSubmission;
  result?: WorkflowResult;
}
