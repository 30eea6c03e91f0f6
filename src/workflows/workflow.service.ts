import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DefinitionDraftService } from '../ai/definition-draft.service.js';
import { ArchivistClient } from '../archivist/archivist-client.js';
import type { NewFact } from '../archivist/archivist-wire.js';
import { ChangeLogOutbox } from '../change-log/change-log-outbox.js';
import { ClarityError } from '../common/clarity-error.js';
import type { Fact } from '../gellish/fact.js';
import { withAdvisoryLock } from '../database/advisory-lock.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { ModelUpdateService } from '../semantic/model-update.service.js';
import { isQuotaRefusal, SessionRepository } from '../sessions/session.repository.js';
import { SESSION_LIMITS, type SessionLimits } from '../sessions/sessions.service.js';
import { sameName } from '../modelling/model-create.service.js';
import type { WorkflowDefinition } from './workflow-definition.js';
import { WorkflowCatalog } from './workflow-catalog.js';
import { isTemporaryUid } from './workflow-graph.js';
import { WorkflowGraphAdapter } from './workflow-graph.adapter.js';
import { WorkflowMachine, type WorkflowView } from './workflow-machine.js';
import type { WorkflowResult, WorkflowState } from './workflow-state.js';
import type { WorkflowSetRequest } from './workflow.schemas.js';

/** Injection token of the loaded WorkflowCatalog (WorkflowsModule builds it from workflow-definitions.ts). */
export const WORKFLOW_CATALOG = Symbol('WORKFLOW_CATALOG');

/** Namespace of the advisory locks of finalize (one per session), across replicas. */
const FINALIZE_LOCK = 'clarity.workflow-finalize:';

/**
 * The `clarity.workflow/*` events (spec §9) over the pure WorkflowMachine: the
 * state lives in the caller's modelling session (column `workflow`), read and
 * written under the session's `version` (a concurrent change → CONFLICT, the
 * other one's change stands). Another user's session, like a missing one, is
 * NOT_FOUND (as SessionsService answers).
 */
@Injectable()
export class WorkflowService {
  private readonly machine: WorkflowMachine;

  constructor(
    @Inject(WORKFLOW_CATALOG) private readonly catalog: WorkflowCatalog,
    graph: WorkflowGraphAdapter,
    private readonly sessions: SessionRepository,
    @Inject(SESSION_LIMITS) private readonly limits: SessionLimits,
    private readonly archivist: ArchivistClient,
    private readonly changeLog: ChangeLogOutbox,
    private readonly updates: ModelUpdateService,
    private readonly dataSource: DataSource,
    private readonly ai: DefinitionDraftService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.machine = new WorkflowMachine(catalog, graph);
  }

  list(): { workflows: WorkflowDefinition[] } {
    return { workflows: this.catalog.definitions() };
  }

  async start(owner: string, sessionId: string, workflowId: string): Promise<WorkflowView> {
    return this.change(owner, sessionId, (state) => this.machine.start(state, workflowId), { mayBeEmpty: true });
  }

  async state(owner: string, sessionId: string): Promise<WorkflowView> {
    const { state } = await this.load(owner, sessionId);
    return this.machine.view(state);
  }

  async set(owner: string, p: WorkflowSetRequest): Promise<WorkflowView> {
    if (p.draft === true) return this.setDraft(owner, p.sessionId, p.field);
    return this.change(owner, p.sessionId, (state) => this.machine.set(state!, p.field, { uid: p.uid, name: p.name }));
  }

  /**
   * `set` with `draft: true`: the field (a new kind's definition) filled with an AI
   * draft (spec §10) for the name and supertype its definition names, written under
   * the version read before the draft was asked for (a change meanwhile → CONFLICT).
   */
  private async setDraft(owner: string, sessionId: string, field: string): Promise<WorkflowView> {
    const { state, version } = await this.load(owner, sessionId);
    const request = this.machine.draftRequest(state, field);
    const draft = await this.ai.conjure(owner, request);
    const next = await this.machine.set(state, field, { name: draft.definition });
    await this.save(owner, sessionId, version, next);
    return this.machine.view(next);
  }

  next(owner: string, sessionId: string): Promise<WorkflowView> {
    return this.change(owner, sessionId, (state) => this.machine.next(state!));
  }

  back(owner: string, sessionId: string): Promise<WorkflowView> {
    return this.change(owner, sessionId, (state) => this.machine.back(state!));
  }

  branch(owner: string, sessionId: string, field: string, workflowId: string): Promise<WorkflowView> {
    return this.change(owner, sessionId, (state) => this.machine.branch(state!, field, workflowId));
  }

  pop(owner: string, sessionId: string): Promise<WorkflowView> {
    return this.change(owner, sessionId, (state) => this.machine.pop(state!));
  }

  abandon(owner: string, sessionId: string): Promise<WorkflowView> {
    return this.change(owner, sessionId, (state) => this.machine.abandon(state!));
  }

  /** POST /validate/binaryFacts: every fact accepted → `pending`; else BAD_REQUEST listing each refused fact. */
  async validate(owner: string, sessionId: string): Promise<WorkflowView> {
    const { state, version } = await this.load(owner, sessionId);
    const facts = this.machine.readyForSubmission(state);
    const verdicts = await this.archivist.validateFacts(facts);
    const refused = verdicts.flatMap((v, i) =>
      v.isValid ? [] : [`fact ${i + 1} (${describeFact(facts[i]!)}): ${v.message ?? 'refused'}`],
    );
    if (refused.length > 0) {
      throw ClarityError.badRequest(
        `The Archivist refused ${refused.length} of ${facts.length} facts: ${refused.join('; ')}`,
      );
    }
    const validated = this.machine.validated(state);
    await this.save(owner, sessionId, version, validated);
    return this.machine.view(validated);
  }

  /**
   * Submits the facts in one all-or-nothing submission. Requires `pending`. The
   * submission is recorded in the session before it is sent; the answer (permanent
   * uids) is recorded with status `completed`. Again: the recorded result, nothing
   * sent. After a crash between sending and recording, the submission is read back
   * from the Archivist before anything is sent again. One finalize of a session at a
   * time (in PostgreSQL, over all replicas).
   */
  async finalize(owner: string, sessionId: string): Promise<WorkflowResult> {
    return this.underFinalizeLock(sessionId, async () => {
      let { state, version } = await this.load(owner, sessionId);
      if (state.status === 'completed' && state.result) return state.result;
      if (state.status !== 'pending') {
        throw new ClarityError(
          'WORKFLOW_STATE',
          `The workflow is ${state.status}: ${state.status === 'in-progress' ? 'validate it before finalize' : 'nothing to finalize'}`,
        );
      }
      let accepted: Fact[] | null = null;
      let reconciled = false;
      if (state.submission) {
        // Sent by an earlier finalize whose answer was never recorded: was it applied?
        accepted = await this.readBack(state.submission.facts);
        reconciled = accepted !== null;
        if (accepted) await this.archivist.forget(touchedUids(accepted));
      } else {
        state = this.machine.withSubmission(state, randomUUID());
        version = await this.save(owner, sessionId, version, state);
      }
      const submission = state.submission!;
      if (!accepted) {
        const answer = await this.archivist.submitFacts(submission.facts, {
          reconcile: () => this.readBack(submission.facts),
        });
        accepted = answer.facts;
        reconciled = answer.reconciled === true;
      }
      const completed = this.machine.completed(state, accepted);
      // Logged before the result is recorded: a crash in between leaves the submission to be
      // read back, and that finalize logs only what is not logged yet (so no row is lost or doubled).
      await this.logChanges(owner, completed, reconciled);
      try {
        await this.save(owner, sessionId, version, completed);
      } catch (error) {
        this.logger.error(
          `Workflow submission ${submission.id} of session ${sessionId} was accepted but not recorded: ${String(error)}`,
          { context: 'Workflows' },
        );
        throw new ClarityError(
          'INTERNAL',
          'The facts were submitted and accepted, but the result could not be recorded: finalize again to complete',
        );
      }
      this.logger.info(
        `Workflow ${completed.stack[0]!.workflowId} of session ${sessionId}: ${accepted.length} facts ${reconciled ? 'found again (reconciled)' : 'submitted'} (submission ${submission.id})`,
        { context: 'Workflows' },
      );
      this.announce(owner, completed);
      return completed.result!;
    });
  }

  // ---- internals --------------------------------------------------------------

  private async load(owner: string, sessionId: string): Promise<{ state: WorkflowState; version: number }> {
    const { state, version } = await this.loadMaybe(owner, sessionId);
    if (!state) throw new ClarityError('WORKFLOW_STATE', `Session ${sessionId} has no workflow: start one`);
    return { state, version };
  }

  private async loadMaybe(owner: string, sessionId: string): Promise<{ state?: WorkflowState; version: number }> {
    const record = await this.sessions.findWorkflow(owner, sessionId);
    if (!record) throw new ClarityError('NOT_FOUND', `Session ${sessionId} not found`);
    return { state: (record.workflow as WorkflowState | null) ?? undefined, version: record.version };
  }

  /** Reads, changes with `work`, writes under the version read. */
  private async change(
    owner: string,
    sessionId: string,
    work: (state: WorkflowState | undefined) => WorkflowState | Promise<WorkflowState>,
    { mayBeEmpty = false } = {},
  ): Promise<WorkflowView> {
    const { state, version } = mayBeEmpty ? await this.loadMaybe(owner, sessionId) : await this.load(owner, sessionId);
    const next = await work(state);
    await this.save(owner, sessionId, version, next);
    return this.machine.view(next);
  }

  /** Writes the state if the session is still at `version`; the new version, else CONFLICT / NOT_FOUND / QUOTA_EXCEEDED. */
  private async save(owner: string, sessionId: string, version: number, state: WorkflowState): Promise<number> {
    const bytes = Buffer.byteLength(JSON.stringify(state), 'utf8');
    if (bytes > this.limits.stateMaxBytes) {
      throw ClarityError.quotaExceeded(
        `${this.limits.stateMaxBytes} bytes of workflow state per session`,
        'SESSION_STATE_MAX_BYTES',
      );
    }
    const written = await this.sessions.updateWorkflowIfVersion(owner, sessionId, version, state, bytes, this.limits);
    if (isQuotaRefusal(written)) {
      throw ClarityError.quotaExceeded(
        `${this.limits.storageBytesPerUser} bytes of session state per user (${written.usage.bytes} in use)`,
        'SESSION_STORAGE_PER_USER_MB',
      );
    }
    if (written) return written.version;
    const current = await this.sessions.findWorkflow(owner, sessionId);
    if (!current) throw new ClarityError('NOT_FOUND', `Session ${sessionId} not found`);
    throw new ClarityError(
      'CONFLICT',
      `Session ${sessionId} has been modified: version ${version} is stale, the current version is ${current.version}`,
    );
  }

  /**
   * Whether the submission was applied: each fact found by its left object's
   * name (exact search, fresh from the Archivist), the same temporary uid standing
   * for one entity. The facts in submission order, or null when none is there. A
   * submission is all or nothing, so finding only some is an error, never a reason
   * to send it again.
   */
  private async readBack(facts: readonly NewFact[]): Promise<Fact[] | null> {
    const searches = new Map<string, Promise<Fact[]>>();
    const search = (name: string) => {
      let found = searches.get(name);
      if (!found) searches.set(name, (found = this.archivist.search(name, true, { fresh: true })));
      return found;
    };
    const permanent = new Map<number, number>();
    const matched: Array<Fact | undefined> = facts.map(() => undefined);
    const side = (submitted: number, candidate: number) =>
      isTemporaryUid(submitted) ? (permanent.get(submitted) ?? candidate) === candidate : submitted === candidate;
    let progress = true;
    while (progress) {
      progress = false;
      for (let i = 0; i < facts.length; i++) {
        if (matched[i]) continue;
        const fact = facts[i]!;
        // newest first: a same-named older fact is not this submission's
        const candidates = [...(await search(fact.lh_object_name))].sort((a, b) => b.fact_uid - a.fact_uid);
        const match = candidates.find(
          (c) =>
            c.rel_type_uid === fact.rel_type_uid &&
            sameName(c.lh_object_name, fact.lh_object_name) &&
            sameName(c.rh_object_name, fact.rh_object_name) &&
            !matched.includes(c) &&
            side(fact.lh_object_uid, c.lh_object_uid) &&
            side(fact.rh_object_uid, c.rh_object_uid) &&
            (fact.lh_object_uid === fact.rh_object_uid) === (c.lh_object_uid === c.rh_object_uid) &&
            // a temporary uid stands for a new entity: never one the submission names otherwise
            (!isTemporaryUid(fact.lh_object_uid) || !facts.some((f) => f.rh_object_uid === c.lh_object_uid)) &&
            (!isTemporaryUid(fact.rh_object_uid) || !facts.some((f) => f.lh_object_uid === c.rh_object_uid)),
        );
        if (!match) continue;
        if (isTemporaryUid(fact.lh_object_uid)) permanent.set(fact.lh_object_uid, match.lh_object_uid);
        if (isTemporaryUid(fact.rh_object_uid)) permanent.set(fact.rh_object_uid, match.rh_object_uid);
        matched[i] = match;
        progress = true;
      }
    }
    const found = matched.filter((m): m is Fact => m !== undefined);
    if (found.length === 0) return null;
    if (found.length < facts.length) {
      throw new ClarityError(
        'ARCHIVIST_ERROR',
        `Only ${found.length} of the ${facts.length} submitted facts were found in the Archivist: the submission's outcome needs a person to look at it`,
      );
    }
    return found;
  }

  /** A change-log row per created fact and entity it names. */
  private async logChanges(owner: string, state: WorkflowState, earlierAttempt: boolean): Promise<void> {
    const workflowId = state.stack[0]!.workflowId;
    for (const fact of state.result!.facts) {
      // in the history of each entity the fact names (a new part changes the whole's model too)
      for (const entityUid of new Set([fact.lh_object_uid, fact.rh_object_uid])) {
        const change = {
          entityUid,
          factUid: fact.fact_uid,
          field: 'created',
          oldValue: null,
          newValue: { fact, workflowId, submission: state.submission?.id },
          changedBy: owner,
        };
        // read back: an earlier finalize may have logged it before it died
        await (earlierAttempt ? this.changeLog.recordUnlessLogged(change) : this.changeLog.record(change));
      }
    }
  }

  /** `clarity.model/updated` to the subscribers of every entity a created fact names. */
  private announce(owner: string, state: WorkflowState): void {
    const result = state.result!;
    const workflowId = state.stack[0]!.workflowId;
    const changedAt = new Date().toISOString();
    for (const uid of touchedUids(result.facts)) {
      const facts = result.facts.filter((f) => f.lh_object_uid === uid || f.rh_object_uid === uid);
      this.updates.announce({
        uid,
        change: {
          field: 'created',
          fact_uid: facts[0]!.fact_uid,
          oldValue: null,
          newValue: { facts, workflowId },
          changedBy: owner,
          changedAt,
        },
      });
    }
  }

  /**
   * Runs `task` as the only finalize of this session: pg_advisory_lock on a
   * dedicated connection, so two finalizes (any replica) never both send. Without
   * the database there is nothing to record a submission in: the error stands.
   */
  private underFinalizeLock<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    return withAdvisoryLock(this.dataSource, FINALIZE_LOCK + sessionId, task, (error) => {
      this.logger.warn(`finalize of session ${sessionId}: no lock (${error.message})`, { context: 'Workflows' });
      throw new ClarityError('INTERNAL', 'Database unavailable');
    });
  }
}

function touchedUids(facts: readonly Fact[]): number[] {
  return [...new Set(facts.flatMap((f) => [f.lh_object_uid, f.rh_object_uid]))];
}

function describeFact(f: NewFact): string {
  return `${f.lh_object_uid} ${f.lh_object_name} > ${f.rel_type_uid} ${f.rel_type_name} > ${f.rh_object_uid} ${f.rh_object_name}`;
}
