/**
 * The types of the Socket.IO API, read from the server's route table with
 * `import type` only (nothing of the server is loaded at run time): every
 * event and alias, the parameters each accepts (the input type of the zod
 * schema that validates them) and what its success answers as `data` (the
 * return type of its handler). A route added to src/gateway/event-routes.ts is
 * typed here without further work.
 */
import type { z } from 'zod';
import type { buildRoutes, RouteTypes } from '../gateway/event-routes.js';
import type { ErrorCode } from '../common/clarity-error.js';
import type { ModelChange } from '../semantic/model-update.service.js';

type Entries = NonNullable<NonNullable<ReturnType<typeof buildRoutes>['__routes']>['__types']>;

/** The canonical event names the server answers. */
export type ClarityCanonicalEvent = Entries['event'];

/** Every event name the server answers: canonical names and the platform's aliases. */
export type ClarityEvent = Entries['event'] | Entries['alias'];

/** The route entry of an event name (canonical or alias). */
export type RouteOf<E extends ClarityEvent> = Entries extends infer T
  ? T extends RouteTypes
    ? E extends T['event']
      ? T
      : [T['alias']] extends [never]
        ? never
        : E extends T['alias']
          ? T
          : never
    : never
  : never;

/** The parameters of an event, as a client sends them (bare; the client wraps them). */
export type ParamsOf<E extends ClarityEvent> = z.input<RouteOf<E>['schema']>;

/** The `data` of an event's success answer. */
export type AnswerOf<E extends ClarityEvent> = RouteOf<E>['answer'];

/** Error codes of a failed request: the server's (spec §3) and the client's own. */
export type ClarityErrorCode = ErrorCode | 'TIMEOUT' | 'DISCONNECTED';

/** Why a handshake was refused (`connect_error` `data.code`), or CONNECT_FAILED (no answer, transport error). */
export type ConnectErrorCode = 'UNAUTHORIZED' | 'CAPACITY' | 'SHUTTING_DOWN' | 'QUOTA_EXCEEDED' | 'CONNECT_FAILED';

/** The response envelope of spec §3, as the gateway defines it (a type only: erased from the client's code). */
export type { ResponseEnvelope } from '../gateway/envelope.js';

/** What a `clarity.model/updated` listener receives. */
export interface ModelUpdate {
  uid: number;
  change: ModelChange;
  /** When the server sent it (ms since the epoch), when the event carried one. */
  timestamp?: number;
}
