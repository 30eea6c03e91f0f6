import type { z } from 'zod';
import type { Socket } from 'socket.io';
import type { SemanticModelService } from '../semantic/semantic-model.service.js';
import type { ModelUpdateService } from '../semantic/model-update.service.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { ChangeLogService } from '../change-log/change-log.service.js';
import type { SubscriptionService } from './subscriptions.js';
import { batchRequestSchema, factsPageRequestSchema, modelRequestSchema } from '../semantic/model-request.schemas.js';
import { updateCollectionSchema, updateDefinitionSchema, updateNameSchema } from '../semantic/model-update.schemas.js';
import { historyRequestSchema } from '../change-log/change-log.schemas.js';
import { subscriptionRequestSchema } from './subscription.schemas.js';
import {
  createSessionSchema,
  listSessionsSchema,
  sessionIdParamsSchema,
  updateSessionSchema,
} from '../sessions/session.schemas.js';
import type { CategoryName } from '../gellish/fact.js';
import type { DefinitionDraftService } from '../ai/definition-draft.service.js';
import { conjureDefinitionSchema } from '../ai/ai-request.schemas.js';
import { draftForSocket } from '../ai/socket-draft.js';
import type { SystemStatusService } from '../health/system-status.service.js';
import { systemRequestSchema } from '../health/system-status.service.js';
import { modelUpdateSchema } from '../semantic/model-update.schemas.js';
import { environmentRequestSchema } from '../sessions/session.schemas.js';
import { loadEnvironment } from '../sessions/environment.js';
import type { ModelCreateService } from '../modelling/model-create.service.js';
import { createModelSchema } from '../modelling/model-create.schemas.js';
import type { WorkflowService } from '../workflows/workflow.service.js';
import {
  workflowBranchSchema,
  workflowListSchema,
  workflowSessionSchema,
  workflowSetSchema,
  workflowStartSchema,
} from '../workflows/workflow.schemas.js';
import {
  FACTS_SCHEMA,
  HISTORY_SCHEMA,
  MODEL_BATCH_SCHEMA,
  SEMANTIC_MODEL_SCHEMA,
  SESSION_DELETED_SCHEMA,
  SESSION_LIST_SCHEMA,
  SESSION_SCHEMA,
  SUBSCRIPTION_SCHEMA,
  WORKFLOW_LIST_SCHEMA,
  WORKFLOW_RESULT_SCHEMA,
  WORKFLOW_STATE_SCHEMA,
  type AnswerSchema,
} from './answer-schemas.js';

export interface RouteContext {
  userId: string;
  socket: Socket;
  /**
   * Charges the socket's rate limiter `tokens` more (a cost only known while handling,
   * e.g. the models of a restored environment); throws RATE_LIMITED when they are not there.
   */
  charge?: (tokens: number) => void;
}

/** One event of the API: its canonical name, older aliases, the schema its parameters are parsed with, the call. */
export interface Route<S extends z.ZodType = z.ZodType> {
  event: string;
  aliases?: string[];
  schema: S;
  /**
   * What the request costs the socket's rate limiter, from its validated parameters
   * (default 1): a batch of N uids costs N, so a batch cannot multiply the load.
   */
  cost?(params: z.output<S>): number;
  /** JSON Schema (with a description) of the success answer's `data`, for the AsyncAPI document; optional. */
  answer?: AnswerSchema;
  /**
   * The answer when it is at hand without any I/O (a memoised model), else undefined.
   * Tried before `handle` and outside the request context: it must neither log nor wait.
   */
  cached?(params: z.output<S>): unknown;
  /** The call; it may answer synchronously (a value, not a promise). */
  handle(params: z.output<S>, ctx: RouteContext): unknown;
}

/** Event name (canonical or alias) → route. */
export type RouteTable = ReadonlyMap<string, Route>;

/** Type-level only: what one route entry says (its event, aliases, parameter schema, answer), for typed clients. */
export interface RouteTypes<
  E extends string = string,
  A extends string = string,
  S extends z.ZodType = z.ZodType,
  R = unknown,
> {
  event: E;
  alias: A;
  schema: S;
  answer: R;
}

/** A route that keeps its entry's types (a phantom property: nothing at run time). */
export type TypedRoute<T extends RouteTypes> = Route & { readonly __types?: T };

/** The route table with the types of its entries (src/client reads them with `import type`). */
export type TypedRouteTable<R extends TypedRoute<RouteTypes>> = RouteTable & { readonly __routes?: R };

export interface RouteDependencies {
  models: SemanticModelService;
  updates: ModelUpdateService;
  sessions: SessionsService;
  changeLog: ChangeLogService;
  ai: DefinitionDraftService;
  system: SystemStatusService;
  subscriptions: SubscriptionService;
  create: ModelCreateService;
  workflows: WorkflowService;
}

function route<const E extends string, S extends z.ZodType, R, const A extends readonly string[] = []>(r: {
  event: E;
  aliases?: A;
  schema: S;
  answer?: AnswerSchema;
  cost?(params: z.output<S>): number;
  cached?(params: z.output<S>): R | undefined;
  handle(params: z.output<S>, ctx: RouteContext): R | Promise<R>;
}): TypedRoute<RouteTypes<E, A[number], S, Awaited<R>>> {
  return r as unknown as Route;
}

export const ENTITY_ROOM_PREFIX = 'entity:';

const CATEGORY_EVENTS = [
  ['clarity.quintessential/get-physical-object', 'physical object'],
  ['clarity.quintessential/get-aspect', 'aspect'],
  ['clarity.quintessential/get-role', 'role'],
  ['clarity.quintessential/get-relation', 'relation'],
  ['clarity.quintessential/get-occurrence', 'occurrence'],
] as const satisfies ReadonlyArray<readonly [string, Exclude<CategoryName, 'anything'>]>;

/** The Socket.IO API of spec §3: event name (and aliases) → parameter schema → service call. */
export function buildRoutes({
  models,
  updates,
  sessions,
  changeLog,
  ai,
  system,
  subscriptions,
  create,
  workflows,
}: RouteDependencies) {
  const routes = [
    route({
      event: 'clarity.model/get',
      aliases: ['clarity/model-get'],
      schema: modelRequestSchema,
      answer: SEMANTIC_MODEL_SCHEMA,
      // A memoised model is answered at once (no promise, no context): the warm path of the most frequent request.
      cached: (p) => models.memoisedModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
      handle: (p) => models.getModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    route({
      event: 'clarity.model/get-batch',
      aliases: ['clarity/model-get-batch'],
      schema: batchRequestSchema,
      cost: (p) => p.uids.length,
      answer: MODEL_BATCH_SCHEMA,
      handle: (p) => models.getBatch(p.uids, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    route({
      event: 'clarity.kind/get',
      aliases: ['clarity/kind-get'],
      schema: modelRequestSchema,
      answer: SEMANTIC_MODEL_SCHEMA,
      handle: (p) => models.getKindModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    route({
      event: 'clarity.individual/get',
      aliases: ['clarity/individual-get'],
      schema: modelRequestSchema,
      answer: SEMANTIC_MODEL_SCHEMA,
      handle: (p) => models.getIndividualModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    ...CATEGORY_EVENTS.map(([event, category]) =>
      route({
        event,
        schema: modelRequestSchema,
        answer: SEMANTIC_MODEL_SCHEMA,
        handle: (p) =>
          models.getCategoryModel(p.uid, category, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
      }),
    ),
    route({
      event: 'clarity.facts/get-by-entity',
      schema: factsPageRequestSchema,
      answer: FACTS_SCHEMA,
      handle: (p) => models.getFactsByEntity(p.uid, { limit: p.limit, cursor: p.cursor }),
    }),
    route({
      event: 'clarity.model/update-definition',
      schema: updateDefinitionSchema,
      handle: (p, ctx) => updates.updateDefinition(ctx.userId, p),
    }),
    route({
      event: 'clarity.model/update-name',
      schema: updateNameSchema,
      handle: (p, ctx) => updates.updateName(ctx.userId, p),
    }),
    route({
      event: 'clarity.model/update-collection',
      schema: updateCollectionSchema,
      handle: (p, ctx) => updates.updateCollection(ctx.userId, p),
    }),
    route({
      event: 'clarity.model/history',
      schema: historyRequestSchema,
      answer: HISTORY_SCHEMA,
      handle: (p) => changeLog.history(p.uid, p.limit),
    }),
    route({
      event: 'clarity.model/subscribe',
      schema: subscriptionRequestSchema,
      answer: SUBSCRIPTION_SCHEMA,
      handle: (p, ctx) => subscriptions.subscribe(ctx.socket, p.uid),
    }),
    route({
      event: 'clarity.model/unsubscribe',
      schema: subscriptionRequestSchema,
      answer: SUBSCRIPTION_SCHEMA,
      handle: (p, ctx) => subscriptions.unsubscribe(ctx.socket, p.uid),
    }),
    route({
      event: 'clarity.session/create',
      schema: createSessionSchema,
      answer: SESSION_SCHEMA,
      handle: (p, ctx) => sessions.create(ctx.userId, p),
    }),
    route({
      event: 'clarity.session/list',
      schema: listSessionsSchema,
      answer: SESSION_LIST_SCHEMA,
      handle: (p, ctx) => sessions.list(ctx.userId, p),
    }),
    route({
      event: 'clarity.session/get',
      schema: sessionIdParamsSchema,
      answer: SESSION_SCHEMA,
      handle: (p, ctx) => sessions.get(ctx.userId, p.id),
    }),
    route({
      event: 'clarity.session/update',
      schema: updateSessionSchema,
      answer: SESSION_SCHEMA,
      handle: (p, ctx) => sessions.update(ctx.userId, p),
    }),
    route({
      event: 'clarity.session/delete',
      schema: sessionIdParamsSchema,
      answer: SESSION_DELETED_SCHEMA,
      handle: (p, ctx) => sessions.delete(ctx.userId, p.id),
    }),
    route({
      event: 'clarity.ai/conjure-definition',
      schema: conjureDefinitionSchema,
      handle: (p, ctx) => draftForSocket(ai, ctx.socket, ctx.userId, p),
    }),
    route({
      event: 'clarity.model/update',
      aliases: ['clarity/model-update'],
      schema: modelUpdateSchema,
      handle: (p, ctx) => updates.updateModel(ctx.userId, p),
    }),
    route({
      event: 'clarity.environment/get',
      aliases: ['clarity/environment-get'],
      schema: environmentRequestSchema,
      handle: async (p, ctx) =>
        loadEnvironment(await sessions.get(ctx.userId, p.environmentId), (uids) => {
          // Its models cost like a batch of as many uids (the request itself paid one).
          ctx.charge?.(uids.length - 1);
          return models.getBatch(uids, { includeFacts: p.includeFacts });
        }),
    }),
    route({
      event: 'clarity.system/status',
      aliases: ['clarity/status-request'],
      schema: systemRequestSchema,
      // connections: the sockets connected to this process (the replica that answers).
      handle: (_p, ctx) => system.status(ctx.socket.nsp.sockets.size),
    }),
    route({
      event: 'clarity.system/heartbeat',
      aliases: ['clarity/heartbeat'],
      schema: systemRequestSchema,
      handle: async () => system.heartbeat(),
    }),
    route({
      event: 'clarity.model/create',
      aliases: ['clarity/model-create'],
      schema: createModelSchema,
      handle: (p, ctx) => create.create(ctx.userId, p),
    }),
    // Guided modelling workflows (spec §9): the state lives in the caller's session `sessionId`.
    route({
      event: 'clarity.workflow/list',
      schema: workflowListSchema,
      answer: WORKFLOW_LIST_SCHEMA,
      handle: async () => workflows.list(),
    }),
    route({
      event: 'clarity.workflow/start',
      schema: workflowStartSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.start(ctx.userId, p.sessionId, p.workflowId),
    }),
    route({
      event: 'clarity.workflow/state',
      schema: workflowSessionSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.state(ctx.userId, p.sessionId),
    }),
    route({
      event: 'clarity.workflow/set',
      schema: workflowSetSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.set(ctx.userId, p),
    }),
    route({
      event: 'clarity.workflow/next',
      schema: workflowSessionSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.next(ctx.userId, p.sessionId),
    }),
    route({
      event: 'clarity.workflow/back',
      schema: workflowSessionSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.back(ctx.userId, p.sessionId),
    }),
    route({
      event: 'clarity.workflow/branch',
      schema: workflowBranchSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.branch(ctx.userId, p.sessionId, p.field, p.workflowId),
    }),
    route({
      event: 'clarity.workflow/pop',
      schema: workflowSessionSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.pop(ctx.userId, p.sessionId),
    }),
    route({
      event: 'clarity.workflow/validate',
      schema: workflowSessionSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.validate(ctx.userId, p.sessionId),
    }),
    route({
      event: 'clarity.workflow/finalize',
      schema: workflowSessionSchema,
      answer: WORKFLOW_RESULT_SCHEMA,
      handle: (p, ctx) => workflows.finalize(ctx.userId, p.sessionId),
    }),
    route({
      event: 'clarity.workflow/abandon',
      schema: workflowSessionSchema,
      answer: WORKFLOW_STATE_SCHEMA,
      handle: (p, ctx) => workflows.abandon(ctx.userId, p.sessionId),
    }),
  ];
  const table = new Map<string, Route>();
  for (const r of routes) {
    table.set(r.event, r);
    for (const alias of r.aliases ?? []) table.set(alias, r);
  }
  return table as TypedRouteTable<(typeof routes)[number]>;
}

/** Injection token of the route table. */
export const ROUTE_TABLE = Symbol('ROUTE_TABLE');
