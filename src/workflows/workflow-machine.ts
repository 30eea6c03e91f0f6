import type { NewFact } from '../archivist/archivist-wire.js';
import { ClarityError } from '../common/clarity-error.js';
import type { Fact } from '../gellish/fact.js';
import type { CompiledStep, CompiledWorkflow, WorkflowCatalog } from './workflow-catalog.js';
import type { FieldDefinition, StepDefinition } from './workflow-definition.js';
import {
  checkPatterns,
  isTemporaryUid,
  PlannedGraph,
  TEMPORARY_UID_MAX,
  type WorkflowGraph,
} from './workflow-graph.js';
import { fieldsOf, type Pattern, type Term } from './workflow-pattern.js';
import type {
  CreatedEntity,
  FieldValue,
  FinishedChild,
  PlannedEntity,
  WorkflowFrame,
  WorkflowResult,
  WorkflowState,
  WorkflowStatus,
} from './workflow-state.js';

/** Deepest tree of open workflows (a child of a child of …). */
export const MAX_WORKFLOW_DEPTH = 8;

/** What `clarity.workflow/state` (and every operation) answers. */
export interface WorkflowView {
  workflowId: string;
  status: WorkflowStatus;
  stepIndex: number;
  step: StepDefinition;
  /** The fields the current workflow sees: its parents' fields, its own non-empty values winning. */
  fields: Record<string, FieldValue>;
  /** The open workflows, root first. */
  tree: Array<{ workflowId: string; stepIndex: number; step: string; fills?: string }>;
  /** The facts finalize would submit now. */
  facts: NewFact[];
}

const workflowState = (message: string) => new ClarityError('WORKFLOW_STATE', message);
const badRequest = (message: string) => ClarityError.badRequest(message);

/**
 * The guided workflows of spec §9 as a pure state machine over WorkflowState:
 * every operation takes a state and returns a new one (the input is never
 * changed), or throws ClarityError (BAD_REQUEST for a bad field, WORKFLOW_STATE
 * for an operation the status does not allow). Fields are checked against the
 * graph through the WorkflowGraph port. Nothing here knows a workflow, a step or
 * a field by name: all of it comes from the WorkflowCatalog.
 *
 * Field semantics (where §9 is silent, decided here):
 * - Fields are named per workflow: the same name in two steps is one field.
 * - A child sees its parents' fields (in `fields`, its own non-empty values
 *   winning) and a pattern of the child may name a field its own workflow does
 *   not define (it is then the parent's). A field the child's workflow defines is
 *   the child's own: an empty one is not filled from the parent, so a child never
 *   restates its parent's synonyms or supertype as its own.
 * - A step's fact is created when every field it names is filled; a field that is
 *   a `text` field in that step must hold a new entity (a temporary uid), so a
 *   step that defines a new entity creates nothing about an existing one.
 */
export class WorkflowMachine {
  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly graph: WorkflowGraph,
  ) {}

  /** A new workflow; allowed when the session has none, or its last one is completed or abandoned. */
  start(current: WorkflowState | undefined, workflowId: string): WorkflowState {
    if (current && (current.status === 'in-progress' || current.status === 'pending')) {
      throw workflowState(
        `The session already has a workflow '${current.stack[0]!.workflowId}' (${current.status}): finalize or abandon it first`,
      );
    }
    this.workflow(workflowId);
    return {
      status: 'in-progress',
      stack: [{ workflowId, stepIndex: 0, fields: {}, children: {} }],
      nextTemporaryUid: 1,
    };
  }

  /** Sets (or, with neither uid nor name, clears) a field of the current step, checked against the graph now. */
  async set(state: WorkflowState, field: string, input: { uid?: number; name?: string }): Promise<WorkflowState> {
    const next = this.editable(state);
    const frame = top(next);
    const step = this.currentStep(frame);
    const definition = step.fields.get(field);
    if (!definition) {
      throw badRequest(
        `Field '${field}' is not a field of step '${step.definition.id}' (its fields: ${[...step.fields.keys()].map((f) => `'${f}'`).join(', ')})`,
      );
    }
    delete frame.children[field];
    const name = input.name?.trim();
    if (input.uid === undefined && (name === undefined || name === '')) {
      delete frame.fields[field];
      return next;
    }
    if (definition.source === 'graph') {
      if (input.uid === undefined) throw badRequest(`Field '${field}' takes an existing entity: give its 'uid'`);
      if (isTemporaryUid(input.uid)) {
        throw badRequest(
          `Field '${field}': UID ${input.uid} is a temporary uid (1..${TEMPORARY_UID_MAX}), not an entity of the graph`,
        );
      }
      const entity = await this.graph.entity(input.uid);
      if (!entity) throw badRequest(`Field '${field}': entity with UID ${input.uid} not found`);
      frame.fields[field] = { uid: entity.uid, name: entity.name };
    } else {
      if (name === undefined || name === '') throw badRequest(`Field '${field}' takes a name: give a non-empty 'name'`);
      if (definition.plain || definition.nameOf !== undefined) {
        frame.fields[field] = { name };
      } else {
        const previous = frame.fields[field]?.uid;
        const uid = previous !== undefined && isTemporaryUid(previous) ? previous : allocate(next, field);
        frame.fields[field] = { uid, name };
      }
    }
    await this.checkStep(next, step, field);
    return next;
  }

  /**
   * What an AI draft of `field` (spec §10) needs: the new kind's name and its
   * supertype, from the fields the definition names; BAD_REQUEST naming the field
   * that cannot be drafted or is still empty.
   */
  draftRequest(state: WorkflowState, field: string): { supertype_uid: number; name: string } {
    const next = this.editable(state);
    const step = this.currentStep(top(next));
    const definition = step.fields.get(field);
    if (!definition) throw badRequest(`Field '${field}' is not a field of step '${step.definition.id}'`);
    if (!definition.draft) throw badRequest(`Field '${field}' cannot be drafted`);
    const resolve = this.resolver(next, next.stack.length - 1);
    const name = resolve(definition.draft.name)?.name;
    if (!name) throw badRequest(`Field '${definition.draft.name}' is empty: the draft of '${field}' needs it`);
    const supertype = resolve(definition.draft.supertype)?.uid;
    if (supertype === undefined) {
      throw badRequest(`Field '${definition.draft.supertype}' is empty: the draft of '${field}' needs it`);
    }
    return { supertype_uid: supertype, name };
  }

  /** The next step; a required step must have all its fields filled. */
  async next(state: WorkflowState): Promise<WorkflowState> {
    const next = this.editable(state);
    const frame = top(next);
    const workflow = this.workflow(frame.workflowId);
    const step = this.currentStep(frame);
    this.requireFilled(next, next.stack.length - 1, step);
    await this.checkStep(next, step);
    if (frame.stepIndex >= workflow.steps.length - 1) {
      throw badRequest(
        `Step '${step.definition.id}' is the last step of '${frame.workflowId}': ${next.stack.length > 1 ? 'pop' : 'validate'} instead`,
      );
    }
    frame.stepIndex += 1;
    return next;
  }

  back(state: WorkflowState): WorkflowState {
    const next = this.editable(state);
    const frame = top(next);
    if (frame.stepIndex === 0) {
      throw badRequest(`Step '${this.currentStep(frame).definition.id}' is the first step of '${frame.workflowId}'`);
    }
    frame.stepIndex -= 1;
    return next;
  }

  /** Starts child workflow `workflowId` to fill `field` of the current step. */
  branch(state: WorkflowState, field: string, workflowId: string): WorkflowState {
    const next = this.editable(state);
    const frame = top(next);
    const step = this.currentStep(frame);
    const definition = step.fields.get(field);
    if (!definition) throw badRequest(`Field '${field}' is not a field of step '${step.definition.id}'`);
    if (!(definition.children ?? []).includes(workflowId)) {
      const allowed = definition.children ?? [];
      throw badRequest(
        `Field '${field}' cannot be filled by workflow '${workflowId}'${allowed.length > 0 ? ` (it can by: ${allowed.join(', ')})` : ' (no child workflow fills it)'}`,
      );
    }
    if (next.stack.length >= MAX_WORKFLOW_DEPTH) {
      throw badRequest(`At most ${MAX_WORKFLOW_DEPTH} nested workflows`);
    }
    this.workflow(workflowId);
    next.stack.push({ workflowId, stepIndex: 0, fields: {}, children: {}, fills: field });
    return next;
  }

  /** Finishes the current child: its result fills the parent's field (checked like a set). */
  async pop(state: WorkflowState): Promise<WorkflowState> {
    const next = this.editable(state);
    if (next.stack.length < 2) throw workflowState('No child workflow is open: nothing to pop');
    const child = top(next);
    const workflow = this.workflow(child.workflowId);
    const depth = next.stack.length - 1;
    for (const step of workflow.steps) this.requireFilled(next, depth, step);
    const result = child.fields[workflow.definition.result];
    if (!result) throw badRequest(`Field '${workflow.definition.result}' of '${child.workflowId}' is empty`);
    next.stack.pop();
    const parent = top(next);
    const field = child.fills!;
    parent.fields[field] = { ...result };
    parent.children[field] = { workflowId: child.workflowId, fields: child.fields, children: child.children };
    await this.checkStep(next, this.currentStep(parent), field);
    return next;
  }

  abandon(state: WorkflowState): WorkflowState {
    if (state.status !== 'in-progress' && state.status !== 'pending') {
      throw workflowState(`The workflow is ${state.status}: only an in-progress or pending workflow can be abandoned`);
    }
    if (state.submission) {
      throw workflowState('The workflow has been submitted: finalize it again to learn its outcome');
    }
    return { ...structuredClone(state), status: 'abandoned' };
  }

  /**
   * The facts to validate: only the root is open, every required field of every
   * workflow is filled, and there is at least one fact.
   */
  readyForSubmission(state: WorkflowState): NewFact[] {
    this.editable(state);
    if (state.stack.length > 1) {
      throw workflowState(`Child workflow '${top(state).workflowId}' is open: pop it first`);
    }
    const workflow = this.workflow(state.stack[0]!.workflowId);
    for (const step of workflow.steps) this.requireFilled(state, 0, step);
    const facts = this.facts(state);
    if (facts.length === 0) throw badRequest('The workflow creates no fact yet');
    return facts;
  }

  /** `pending`: the Archivist accepted every fact. */
  validated(state: WorkflowState): WorkflowState {
    return { ...structuredClone(state), status: 'pending' };
  }

  /** The submission, recorded before it is sent (finalize requires `pending`). */
  withSubmission(state: WorkflowState, id: string, now = new Date()): WorkflowState {
    if (state.status !== 'pending') {
      throw workflowState(`The workflow is ${state.status}: validate it before finalize`);
    }
    const facts = this.facts(state);
    return {
      ...structuredClone(state),
      submission: { id, facts, entities: this.plannedEntities(state, facts), recordedAt: now.toISOString() },
    };
  }

  /** Completed with the Archivist's answer: each new entity's permanent uid. */
  completed(state: WorkflowState, facts: readonly Fact[]): WorkflowState {
    const submission = state.submission;
    if (!submission) throw new Error('completed() without a recorded submission');
    const permanent = permanentUids(submission.facts, facts);
    const created: CreatedEntity[] = submission.entities.map((e) => ({
      field: e.field,
      uid: permanent.get(e.temporaryUid) ?? e.temporaryUid,
      name: e.name,
    }));
    const result: WorkflowResult = { facts: [...facts], created };
    return { ...structuredClone(state), status: 'completed', result };
  }

  /** The answer of `clarity.workflow/state` and of every operation. */
  view(state: WorkflowState): WorkflowView {
    const frame = top(state);
    const step = this.currentStep(frame);
    return {
      workflowId: frame.workflowId,
      status: state.status,
      stepIndex: frame.stepIndex,
      step: step.definition,
      fields: this.visibleFields(state, state.stack.length - 1),
      tree: state.stack.map((f) => ({
        workflowId: f.workflowId,
        stepIndex: f.stepIndex,
        step: this.currentStep(f).definition.id,
        ...(f.fills !== undefined ? { fills: f.fills } : {}),
      })),
      facts: state.status === 'completed' || state.status === 'abandoned' ? [] : this.facts(state),
    };
  }

  /** The facts finalize would submit: the root's, then its finished children's (open children are not finished). */
  facts(state: WorkflowState): NewFact[] {
    return this.factsOf(state.stack[0]!, {});
  }

  // ---- internals -------------------------------------------------------------

  private workflow(id: string): CompiledWorkflow {
    const workflow = this.catalog.get(id);
    if (!workflow) throw badRequest(`Unknown workflow '${id}' (known: ${this.catalog.ids().join(', ')})`);
    return workflow;
  }

  private currentStep(frame: WorkflowFrame): CompiledStep {
    return this.workflow(frame.workflowId).steps[frame.stepIndex]!;
  }

  /** A copy to change: the workflow is in progress, or pending (a change makes it in progress again). */
  private editable(state: WorkflowState): WorkflowState {
    if (state.status !== 'in-progress' && state.status !== 'pending') {
      throw workflowState(`The workflow is ${state.status}: start a new one`);
    }
    if (state.submission) {
      throw workflowState('The workflow has been submitted: finalize it again to learn its outcome');
    }
    return { ...structuredClone(state), status: 'in-progress' };
  }

  /** BAD_REQUEST naming the first empty field of a required step (its non-optional fields). */
  private requireFilled(state: WorkflowState, depth: number, step: CompiledStep): void {
    if (!step.definition.required) return;
    const frame = state.stack[depth]!;
    for (const field of step.fields.values()) {
      if (field.optional) continue;
      if (frame.fields[field.name] === undefined) {
        throw badRequest(
          `Required field '${field.name}' of step '${step.definition.id}' (workflow '${frame.workflowId}') is empty`,
        );
      }
    }
  }

  /** Checks the step's patterns (only the groups naming `field`, when given); BAD_REQUEST naming field and pattern. */
  private async checkStep(state: WorkflowState, step: CompiledStep, field?: string): Promise<void> {
    if (step.holds.length === 0) return;
    const depth = state.stack.length - 1;
    const resolve = this.resolver(state, depth);
    const planned = state.stack.flatMap((frame, i) => this.factsOf(frame, this.visibleFields(state, i - 1)));
    const failure = await checkPatterns(
      step.holds,
      (name) => resolve(name)?.uid,
      new PlannedGraph(this.graph, planned),
      field,
    );
    if (!failure) return;
    const named = field ?? failure.patterns.flatMap(fieldsOf)[0] ?? '';
    const value = resolve(named);
    const shown = value ? ` ${value.uid !== undefined ? `UID ${value.uid} ` : ''}(${value.name})` : '';
    throw badRequest(
      `Field '${named}':${shown} does not satisfy ${failure.patterns.map((p) => `'${p.text}'`).join(' and ')}`,
    );
  }

  /** A field's value for patterns and facts in the frame at `depth` (see the class comment). */
  private resolver(state: WorkflowState, depth: number): (field: string) => FieldValue | undefined {
    const frame = state.stack[depth]!;
    return this.frameResolver(frame, depth > 0 ? this.visibleFields(state, depth - 1) : {});
  }

  private frameResolver(
    frame: FinishedChild,
    inherited: Readonly<Record<string, FieldValue>>,
  ): (field: string) => FieldValue | undefined {
    const workflow = this.workflow(frame.workflowId);
    const resolve = (name: string, seen = new Set<string>()): FieldValue | undefined => {
      const definition = workflow.fields.get(name);
      if (!definition) return inherited[name];
      const own = frame.fields[name];
      if (!own) return undefined;
      if (definition.nameOf !== undefined && !seen.has(name)) {
        const target = resolve(definition.nameOf, new Set(seen).add(name));
        return target?.uid !== undefined ? { uid: target.uid, name: own.name } : undefined;
      }
      return own;
    };
    return (name) => resolve(name);
  }

  /** What the frame at `depth` sees: its parents' fields, its own non-empty ones winning (depth -1: nothing). */
  private visibleFields(state: WorkflowState, depth: number): Record<string, FieldValue> {
    if (depth < 0) return {};
    const inherited = this.visibleFields(state, depth - 1);
    const frame = state.stack[depth]!;
    const resolve = this.frameResolver(frame, inherited);
    const own: Record<string, FieldValue> = {};
    for (const name of Object.keys(frame.fields)) {
      const value = resolve(name) ?? frame.fields[name];
      if (value) own[name] = value;
    }
    return { ...inherited, ...own };
  }

  /** The complete facts of a workflow and its finished children. */
  private factsOf(frame: FinishedChild, inherited: Readonly<Record<string, FieldValue>>): NewFact[] {
    const workflow = this.workflow(frame.workflowId);
    const resolve = this.frameResolver(frame, inherited);
    const facts: NewFact[] = [];
    for (const step of workflow.steps) {
      for (const create of step.creates) {
        const fact = factOf(create.pattern, step.fields, resolve, create.fullDefinition);
        if (fact) facts.push(fact);
      }
    }
    const visible = { ...inherited };
    for (const name of Object.keys(frame.fields)) {
      const value = resolve(name);
      if (value) visible[name] = value;
    }
    for (const child of Object.values(frame.children)) facts.push(...this.factsOf(child, visible));
    return facts;
  }

  /** The new entities of the facts, each once (by temporary uid), named by the first field that names it. */
  private plannedEntities(state: WorkflowState, facts: readonly NewFact[]): PlannedEntity[] {
    const used = new Set(facts.flatMap((f) => [f.lh_object_uid, f.rh_object_uid]).filter(isTemporaryUid));
    const entities: PlannedEntity[] = [];
    const seen = new Set<number>();
    const walk = (frame: FinishedChild): void => {
      const workflow = this.workflow(frame.workflowId);
      for (const [name, value] of Object.entries(frame.fields)) {
        const definition = workflow.fields.get(name);
        if (!definition || definition.source !== 'text' || definition.plain || definition.nameOf !== undefined)
          continue;
        if (value.uid === undefined || !used.has(value.uid) || seen.has(value.uid)) continue;
        seen.add(value.uid);
        entities.push({ field: name, temporaryUid: value.uid, name: value.name });
      }
      for (const [field, child] of Object.entries(frame.children)) {
        const value = frame.fields[field];
        if (value?.uid !== undefined && used.has(value.uid) && !seen.has(value.uid)) {
          seen.add(value.uid);
          entities.push({ field, temporaryUid: value.uid, name: value.name });
        }
        walk(child);
      }
    };
    walk(state.stack[0]!);
    return entities;
  }
}

function top(state: WorkflowState): WorkflowFrame {
  return state.stack[state.stack.length - 1]!;
}

function allocate(state: WorkflowState, field: string): number {
  const uid = state.nextTemporaryUid;
  if (uid > TEMPORARY_UID_MAX) {
    throw badRequest(`Field '${field}': the workflow already names ${TEMPORARY_UID_MAX} new entities`);
  }
  state.nextTemporaryUid = uid + 1;
  return uid;
}

/** The fact of a `creates` pattern, or undefined while a field it names is empty (or not new where it must be). */
function factOf(
  pattern: Pattern,
  stepFields: ReadonlyMap<string, FieldDefinition>,
  resolve: (field: string) => FieldValue | undefined,
  fullDefinition: string | undefined,
): NewFact | undefined {
  const side = (term: Term): { uid: number; name: string } | undefined => {
    if (term.kind === 'entity') return { uid: term.uid, name: term.name };
    if (term.kind !== 'field') return undefined;
    const value = resolve(term.name);
    if (value?.uid === undefined) return undefined;
    const definition = stepFields.get(term.name);
    const mustBeNew = definition?.source === 'text' && !definition.plain && definition.nameOf === undefined;
    if (mustBeNew && !isTemporaryUid(value.uid)) return undefined;
    return { uid: value.uid, name: value.name };
  };
  const left = side(pattern.left);
  const right = side(pattern.right);
  if (!left || !right) return undefined;
  const fact: NewFact = {
    lh_object_uid: left.uid,
    lh_object_name: left.name,
    rel_type_uid: pattern.relation.uid,
    rel_type_name: pattern.relation.phrase,
    rh_object_uid: right.uid,
    rh_object_name: right.name,
  };
  if (fullDefinition !== undefined) {
    const text = resolve(fullDefinition)?.name;
    if (text) fact.full_definition = text;
  }
  return fact;
}

/** Temporary uid → permanent uid, read from the accepted facts (same order as the submitted ones). */
export function permanentUids(submitted: readonly NewFact[], accepted: readonly Fact[]): Map<number, number> {
  const map = new Map<number, number>();
  submitted.forEach((fact, i) => {
    const done = accepted[i];
    if (!done) return;
    if (isTemporaryUid(fact.lh_object_uid)) map.set(fact.lh_object_uid, done.lh_object_uid);
    if (isTemporaryUid(fact.rh_object_uid)) map.set(fact.rh_object_uid, done.rh_object_uid);
  });
  return map;
}
