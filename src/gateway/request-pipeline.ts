import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { runWithContext, type RequestContext } from '../logging/request-context.js';
import { parseParams } from '../common/request-params.js';
import {
  encodedSuccessEnvelope,
  errorEnvelope,
  isWrappedRequest,
  unwrapRequest,
  type ResponseEnvelope,
} from './envelope.js';
import type { PreEncodedJson } from './pre-encoded-parser.js';
import { ROUTE_TABLE, type Route, type RouteTable } from './event-routes.js';
import { OutgoingBacklogGuard } from './outgoing-backlog.js';
import { RequestMetrics, categoryOf } from './request-metrics.js';
import { ErrorMapper } from './error-mapper.js';
import type { TokenBucket } from './token-bucket.js';
import { ClarityError } from '../common/clarity-error.js';

/** What the pipeline needs to know about a connected client. */
export interface Client {
  /** The token's `sub`. */
  userId: string;
  /** The socket's request budget (rate limit). */
  bucket: Pick<TokenBucket, 'tryTake'>;
}

const RATE_LIMITED_MESSAGE = 'Too many requests: slow down';

/** Takes `tokens` more from the socket's budget, or refuses the request (of cost `cost`) with RATE_LIMITED. */
function charge(client: Client, tokens: number, cost: number): void {
  if (tokens > 0 && !client.bucket.tryTake(tokens)) {
    throw new ClarityError('RATE_LIMITED', `${RATE_LIMITED_MESSAGE} (this request costs ${cost} requests)`);
  }
}

type Answer = ResponseEnvelope | PreEncodedJson;
type Ack = (answer: Answer) => void;

/**
 * Every Socket.IO request goes through these stages, in order:
 *
 * 1. back-pressure — OutgoingBacklogGuard drops a client that does not read its answers;
 * 2. route lookup — the route table (canonical names and aliases); an unknown event
 *    gets BAD_REQUEST when it has an ack or is a wrapped request, and nothing otherwise;
 * 3. rate limit — the socket's TokenBucket, RATE_LIMITED when it is empty: one token
 *    before parsing (so unparseable floods cost too), then, once the parameters are
 *    valid, the rest of the route's `cost(params)` (a batch of N uids costs N in all);
 *    a handler may charge more through `ctx.charge` when its cost shows up later;
 * 4. parse/validate — parseParams with the route's schema;
 * 5. the answer — the route's `cached` answer when it has one at hand (a memoised model:
 *    no I/O, nothing logged), else the service call in the request context: the
 *    correlation id (the client's, or a new one) and user for every log line, through
 *    runWithContext;
 * 6. reply — the pre-encoded success envelope, or ErrorMapper's error envelope, to the
 *    ack, or, when the client sent no ack, as an event of the name it used (an alias
 *    is answered on the alias, spec §3/§11);
 *
 * with RequestMetrics (in-flight count, duration by category) around 4–6. The stages
 * are plain calls on the hot path: a cached answer is replied to without any promise or
 * context; a handler's promise costs one `then`.
 */
@Injectable()
export class RequestPipeline {
  constructor(
    @Inject(ROUTE_TABLE) private readonly routes: RouteTable,
    private readonly backPressure: OutgoingBacklogGuard,
    private readonly metrics: RequestMetrics,
    private readonly errors: ErrorMapper,
  ) {}

  /** One event of `socket` (its name and arguments as `onAny` got them). */
  handle(socket: Socket, client: Client, event: unknown, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    if (!this.backPressure.admit(socket, client.userId)) return;
    const name = typeof event === 'string' ? event : '';
    const route = this.routes.get(name);
    const payload = args[0] === last && ack ? undefined : args[0];
    if (route === undefined) {
      this.unknownEvent(socket, name, payload, ack);
      return;
    }
    const { params, correlationId } = unwrapRequest(payload);
    if (!client.bucket.tryTake()) {
      reply(socket, ack, name, errorEnvelope('RATE_LIMITED', RATE_LIMITED_MESSAGE, correlationId));
      return;
    }
    void this.run(socket, client, route, name, params, correlationId, ack);
  }

  /**
   * An unknown event is answered BAD_REQUEST when the client waits for an answer:
   * it sent an ack, or it sent the platform's wrapper `{id, type: "request", payload}`
   * (answered as an event of the name it used, with its correlationId, spec §3).
   * A bare payload without an ack stays unanswered: such an emit is a notification,
   * not a request, and answering it on the client's own event name could echo
   * between a client and the server without end.
   */
  private unknownEvent(socket: Socket, name: string, payload: unknown, ack: Ack | undefined): void {
    if (!ack && (!isWrappedRequest(payload) || name === '' || RESERVED_EVENTS.has(name))) return;
    const { correlationId } = unwrapRequest(payload);
    reply(socket, ack, name, errorEnvelope('BAD_REQUEST', `Unknown event '${name.slice(0, 100)}'`, correlationId));
  }

  /**
   * Stages 4–6 of one routed request. A route's `cached` answer (a memoised model) is
   * replied to at once: no promise, no request context. A handler that answers
   * synchronously is too; otherwise the reply waits for the handler's promise.
   */
  private run(
    socket: Socket,
    client: Client,
    route: Route,
    /** The name the client used (the canonical one or an alias): answers without an ack go there. */
    used: string,
    params: unknown,
    correlationId: string | undefined,
    ack: Ack | undefined,
  ): void {
    const request: Routed = {
      socket,
      ack,
      used,
      route,
      userId: client.userId,
      correlationId,
      context: undefined,
      started: this.metrics.start(),
    };
    let result: unknown;
    try {
      const parsed = parseParams(route.schema, params);
      let cost = 1;
      if (route.cost !== undefined) {
        cost = route.cost(parsed);
        charge(client, cost - 1, cost);
      }
      result = route.cached?.(parsed);
      if (result === undefined) {
        result = runWithContext(contextOf(request), () =>
          route.handle(parsed, {
            userId: client.userId,
            socket,
            charge: (tokens) => charge(client, tokens, (cost += tokens)),
          }),
        );
      }
    } catch (error) {
      this.fail(request, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => this.succeed(request, value),
        (error: unknown) => this.fail(request, error),
      );
    } else {
      this.succeed(request, result);
    }
  }

  private succeed(request: Routed, result: unknown): void {
    let answer: Answer;
    try {
      answer = encodedSuccessEnvelope(result, request.correlationId);
    } catch (error) {
      this.fail(request, error);
      return;
    }
    reply(request.socket, request.ack, request.used, answer);
    this.metrics.finish(request.route.event, categoryOf(result), request.started);
  }

  private fail(request: Routed, error: unknown): void {
    const { route } = request;
    const answer = this.errors.toEnvelope(error, route.event, contextOf(request).correlationId, request.correlationId);
    reply(request.socket, request.ack, request.used, answer);
    this.metrics.finish(route.event, 'error', request.started);
  }
}

/** A routed request on its way to its answer. */
interface Routed {
  socket: Socket;
  ack: Ack | undefined;
  /** The event name the client used: answers without an ack go there. */
  used: string;
  route: Route;
  userId: string;
  /** The client's correlation id, echoed in the answer; undefined when it sent none. */
  correlationId: string | undefined;
  /** Made when first needed (see contextOf): a cached answer needs none. */
  context: RequestContext | undefined;
  /** From RequestMetrics.start(). */
  started: number;
}

/** The request's context (for its handler and log lines), made on first use. */
function contextOf(request: Routed): RequestContext {
  return (request.context ??= new LazyRequestContext(request.correlationId, request.userId, request.route.event));
}

/**
 * The request's context. Without a client correlation id, the one made up for the log
 * lines is drawn only when something reads it (a log line, an INTERNAL answer): most
 * requests log nothing, and a warm answer should not pay for a UUID nobody sees.
 * A class, not an object literal with a getter: V8 makes each such literal a slow
 * dictionary object (3 % of a warm request's CPU in the benchmark's profile).
 */
class LazyRequestContext implements RequestContext {
  private made: string | undefined;

  constructor(
    private readonly clientCorrelationId: string | undefined,
    readonly userId: string,
    readonly operation: string,
  ) {}

  get correlationId(): string {
    return this.clientCorrelationId ?? (this.made ??= randomUUID());
  }
}

/** Names Socket.IO reserves: never emitted as an answer. */
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

/** To the ack when there is one, else as an event of the name the client used; nothing once the socket is gone. */
function reply(socket: Socket, ack: Ack | undefined, event: string, answer: Answer): void {
  if (!socket.connected) return;
  if (ack) ack(answer);
  else socket.emit(event, answer);
}
