import type { z } from 'zod';
import type { Socket } from 'socket.io';
import type { SemanticModelService } from '../semantic/semantic-model.service.js';
import type { ModelUpdateService } from '../semantic/model-update.service.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { ChangeLogService } from '../change-log/change-log.service.js';
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

export interface RouteContext {
  userId: string;
  socket: Socket;
}

/** One event of the API: its canonical name, older aliases, the schema its parameters are parsed with, the call. */
export interface Route<S extends z.ZodType = z.ZodType> {
  event: string;
  aliases?: string[];
  schema: S;
  handle(params: z.output<S>, ctx: RouteContext): Promise<unknown>;
}

/** Event name (canonical or alias) → route. */
export type RouteTable = ReadonlyMap<string, Route>;

export interface RouteDependencies {
  models: SemanticModelService;
  updates: ModelUpdateService;
  sessions: SessionsService;
  changeLog: ChangeLogService;
}

function route<S extends z.ZodType>(r: Route<S>): Route {
  return r as unknown as Route;
}

export const ENTITY_ROOM_PREFIX = 'entity:';

const CATEGORY_EVENTS: Array<[string, Exclude<CategoryName, 'anything'>]> = [
  ['clarity.quintessential/get-physical-object', 'physical object'],
  ['clarity.quintessential/get-aspect', 'aspect'],
  ['clarity.quintessential/get-role', 'role'],
  ['clarity.quintessential/get-relation', 'relation'],
  ['clarity.quintessential/get-occurrence', 'occurrence'],
];

/** The Socket.IO API of spec §3: event name (and aliases) → parameter schema → service call. */
export function buildRoutes({ models, updates, sessions, changeLog }: RouteDependencies): RouteTable {
  const routes: Route[] = [
    route({
      event: 'clarity.model/get',
      aliases: ['clarity/model-get'],
      schema: modelRequestSchema,
      handle: (p) => models.getModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    route({
      event: 'clarity.model/get-batch',
      aliases: ['clarity/model-get-batch'],
      schema: batchRequestSchema,
      handle: (p) => models.getBatch(p.uids, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    route({
      event: 'clarity.kind/get',
      aliases: ['clarity/kind-get'],
      schema: modelRequestSchema,
      handle: (p) => models.getKindModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    route({
      event: 'clarity.individual/get',
      aliases: ['clarity/individual-get'],
      schema: modelRequestSchema,
      handle: (p) => models.getIndividualModel(p.uid, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
    }),
    ...CATEGORY_EVENTS.map(([event, category]) =>
      route({
        event,
        schema: modelRequestSchema,
        handle: (p) =>
          models.getCategoryModel(p.uid, category, { includeFacts: p.includeFacts, factsLimit: p.factsLimit }),
      }),
    ),
    route({
      event: 'clarity.facts/get-by-entity',
      schema: factsPageRequestSchema,
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
      handle: (p) => changeLog.history(p.uid, p.limit),
    }),
    route({
      event: 'clarity.model/subscribe',
      schema: subscriptionRequestSchema,
      handle: async (p, ctx) => {
        await ctx.socket.join(`${ENTITY_ROOM_PREFIX}${p.uid}`);
        return { uid: p.uid, subscribed: true };
      },
    }),
    route({
      event: 'clarity.model/unsubscribe',
      schema: subscriptionRequestSchema,
      handle: async (p, ctx) => {
        await ctx.socket.leave(`${ENTITY_ROOM_PREFIX}${p.uid}`);
        return { uid: p.uid, subscribed: false };
      },
    }),
    route({
      event: 'clarity.session/create',
      schema: createSessionSchema,
      handle: (p, ctx) => sessions.create(ctx.userId, p),
    }),
    route({
      event: 'clarity.session/list',
      schema: listSessionsSchema,
      handle: (p, ctx) => sessions.list(ctx.userId, p),
    }),
    route({
      event: 'clarity.session/get',
      schema: sessionIdParamsSchema,
      handle: (p, ctx) => sessions.get(ctx.userId, p.id),
    }),
    route({
      event: 'clarity.session/update',
      schema: updateSessionSchema,
      handle: (p, ctx) => sessions.update(ctx.userId, p),
    }),
    route({
      event: 'clarity.session/delete',
      schema: sessionIdParamsSchema,
      handle: (p, ctx) => sessions.delete(ctx.userId, p.id),
    }),
  ];
  const table = new Map<string, Route>();
  for (const r of routes) {
    table.set(r.event, r);
    for (const alias of r.aliases ?? []) table.set(alias, r);
  }
  return table;
}

/** Injection token of the route table. */
export const ROUTE_TABLE = Symbol('ROUTE_TABLE');
