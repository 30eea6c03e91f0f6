import { randomUUID } from 'node:crypto';
import { Inject, Logger as NestLogger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { runWithContext } from '../logging/request-context.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { LifecycleState } from '../health/lifecycle-state.js';
import { AuthService } from '../auth/auth.service.js';
import { extractToken } from '../auth/extract-token.js';
import { ClarityError } from '../common/clarity-error.js';
import { SemanticModelService } from '../semantic/semantic-model.service.js';
import { ModelUpdateService, type ModelUpdatedEvent } from '../semantic/model-update.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { ChangeLogService } from '../change-log/change-log.service.js';
import { ConnectionSlots } from './connection-slots.js';
import { TokenBucket } from './token-bucket.js';
import { encodedSuccessEnvelope, errorEnvelope, unwrapRequest, type ResponseEnvelope } from './envelope.js';
import type { PreEncodedJson } from './pre-encoded-parser.js';
import { buildRoutes, ENTITY_ROOM_PREFIX, type Route } from './event-routes.js';
import { validate } from './request-schemas.js';
import { RequestTracker } from './request-tracker.js';
import { dropConnection, MAX_OUTGOING_BACKLOG_BYTES, outgoingBacklogBytes } from './outgoing-backlog.js';

interface SocketData {
  userId: string;
  bucket: TokenBucket;
}

type ConnectError = Error & { data?: { code: string } };

function refusal(message: string, code: string): ConnectError {
  const error: ConnectError = new Error(message);
  error.data = { code };
  return error;
}

/**
 * The Socket.IO edge of Clarity (spec §3): authenticates handshakes, enforces
 * the connection cap, and turns every event into a validated service call whose
 * result goes back in the response envelope. No domain logic lives here.
 */
@WebSocketGateway()
export class ClarityGateway implements OnGatewayInit<Server> {
  private readonly nestLogger = new NestLogger('Gateway');
  private readonly slots: ConnectionSlots;
  private readonly routes: Map<string, Route>;
  private server?: Server;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    private readonly lifecycle: LifecycleState,
    private readonly auth: AuthService,
    private readonly tracker: RequestTracker,
    models: SemanticModelService,
    private readonly updates: ModelUpdateService,
    sessions: SessionsService,
    changeLog: ChangeLogService,
  ) {
    this.slots = new ConnectionSlots(config.websocket.maxConnections);
    this.routes = buildRoutes({ models, updates, sessions, changeLog });
  }

  afterInit(server: Server): void {
    this.server = server;
    this.metrics.trackOpenConnections(() => this.slots.openCount);
    server.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: ConnectError) => next(error),
      );
    });
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.updates.onUpdated((event) => this.broadcastUpdate(event));
    this.nestLogger.log(
      `Socket.IO ready (max ${this.config.websocket.maxConnections} connections, ${this.config.websocket.transports.join('+')})`,
    );
  }

  get openConnections(): number {
    return this.slots.openCount;
  }

  /** Handshake: authenticate, then reserve a slot; a refusal never becomes a connection. */
  private async admit(socket: Socket): Promise<void> {
    if (this.lifecycle.draining) {
      throw refusal('Server shutting down', 'SHUTTING_DOWN');
    }
    const token = extractToken(socket.handshake);
    let userId: string;
    try {
      if (!token) throw new Error('no token');
      userId = (await this.auth.verify(token)).sub;
    } catch (error) {
      this.metrics.wsConnectionsTotal.inc({ status: 'rejected_auth' });
      this.logger.debug(`Handshake refused: ${error instanceof Error ? error.message : 'invalid token'}`, {
        context: 'Gateway',
      });
      throw refusal('Unauthorized', 'UNAUTHORIZED');
    }
    if (socket.conn.readyState !== 'open') throw refusal('Handshake aborted', 'ABORTED');
    if (!this.slots.tryReserve()) {
      this.metrics.wsConnectionsTotal.inc({ status: 'rejected_capacity' });
      throw refusal('Server at capacity', 'CAPACITY');
    }
    let settled = false;
    const releaseIfNeverConnected = (): void => {
      if (!settled) {
        settled = true;
        this.slots.release();
      }
    };
    socket.conn.once('close', releaseIfNeverConnected);
    (socket.data as Partial<SocketData>).userId = userId;
    (socket.data as { settle?: () => boolean }).settle = () => {
      socket.conn.off('close', releaseIfNeverConnected);
      if (settled) return false;
      settled = true;
      return true;
    };
  }

  private onConnection(socket: Socket): void {
    const data = socket.data as SocketData & { settle?: () => boolean };
    if (!data.settle?.()) {
      socket.disconnect(true);
      return;
    }
    this.slots.connected();
    this.metrics.wsConnectionsTotal.inc({ status: 'accepted' });
    data.bucket = new TokenBucket(this.config.websocket.rateLimitPerSecond);
    socket.once('disconnect', () => {
      this.slots.disconnected();
      this.metrics.wsConnectionsTotal.inc({ status: 'closed' });
    });
    socket.onAny((event: unknown, ...args: unknown[]) => {
      void this.onRequest(socket, data, event, args);
    });
  }

  private async onRequest(socket: Socket, data: SocketData, event: unknown, args: unknown[]): Promise<void> {
    const last = args[args.length - 1];
    const ack =
      typeof last === 'function' ? (last as (response: ResponseEnvelope | PreEncodedJson) => void) : undefined;
    const payload = args[0] === last && ack ? undefined : args[0];
    if (outgoingBacklogBytes(socket) > MAX_OUTGOING_BACKLOG_BYTES) {
      // A client that keeps asking but does not read its answers would grow this process without bound.
      this.logger.warn(
        `Disconnecting a slow consumer: more than ${MAX_OUTGOING_BACKLOG_BYTES} bytes of answers unread`,
        {
          context: 'Gateway',
          userId: data.userId,
        },
      );
      dropConnection(socket);
      return;
    }
    const name = typeof event === 'string' ? event : '';
    const route = this.routes.get(name);
    if (!route) {
      if (ack) ack(errorEnvelope('BAD_REQUEST', `Unknown event '${name.slice(0, 100)}'`));
      return;
    }
    const { params, correlationId } = unwrapRequest(payload);
    const reply = (envelope: ResponseEnvelope | PreEncodedJson): void => {
      if (!socket.connected) return;
      if (ack) ack(envelope);
      else socket.emit(route.event, envelope);
    };
    if (!data.bucket.tryTake()) {
      reply(errorEnvelope('RATE_LIMITED', 'Too many requests: slow down', correlationId));
      return;
    }
    const started = performance.now();
    this.tracker.start();
    const context = { correlationId: correlationId ?? randomUUID(), userId: data.userId, operation: route.event };
    let category = 'none';
    try {
      const result = await runWithContext(context, () =>
        route.handle(validate(route.schema, params), { userId: data.userId, socket }),
      );
      category = categoryOf(result);
      reply(encodedSuccessEnvelope(result, correlationId));
    } catch (error) {
      category = 'error';
      reply(this.toErrorEnvelope(error, route.event, context.correlationId, correlationId));
    } finally {
      this.tracker.finish();
      this.metrics.observeRequest(route.event, category, (performance.now() - started) / 1000);
    }
  }

  private toErrorEnvelope(
    error: unknown,
    operation: string,
    logCorrelationId: string,
    correlationId: string | undefined,
  ): ResponseEnvelope {
    if (error instanceof ClarityError) {
      return errorEnvelope(error.code, error.message, correlationId);
    }
    this.logger.error(`Unexpected failure in ${operation}: ${error instanceof Error ? error.message : String(error)}`, {
      context: 'Gateway',
      correlationId: logCorrelationId,
      stack: error instanceof Error ? error.stack : undefined,
    });
    return errorEnvelope('INTERNAL', `Internal error (correlation id ${logCorrelationId})`, correlationId);
  }

  private broadcastUpdate(event: ModelUpdatedEvent): void {
    this.server?.to(`${ENTITY_ROOM_PREFIX}${event.uid}`).emit('clarity.model/updated', event);
  }
}

function categoryOf(result: unknown): string {
  if (typeof result === 'object' && result !== null && 'category' in result) {
    const category = (result as { category: unknown }).category;
    if (typeof category === 'string') return category;
  }
  return 'none';
}
