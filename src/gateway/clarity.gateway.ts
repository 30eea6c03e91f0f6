import { Inject, Logger as NestLogger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { LifecycleState } from '../health/lifecycle-state.js';
import { AuthService } from '../auth/auth.service.js';
import { extractToken } from '../auth/extract-token.js';
import { ModelUpdateService, type ModelUpdatedEvent } from '../semantic/model-update.service.js';
import { ConnectionSlots } from './connection-slots.js';
import { TokenBucket } from './token-bucket.js';
import { ENTITY_ROOM_PREFIX } from './event-routes.js';
import { RequestPipeline, type Client } from './request-pipeline.js';
import { eventEnvelope } from './envelope.js';

const MODEL_UPDATED = 'clarity.model/updated';
import { UserConnectionQuota, type ConnectionLease } from './user-connection-quota.js';

type SocketData = Client & { settle?: () => boolean; lease?: ConnectionLease };

type ConnectError = Error & { data?: { code: string } };

function refusal(message: string, code: string): ConnectError {
  const error: ConnectError = new Error(message);
  error.data = { code };
  return error;
}

/**
 * The Socket.IO edge of Clarity (spec §3): authenticates handshakes, enforces
 * the connection cap, gives each connection its request budget, and hands every
 * event to the RequestPipeline (back-pressure, routing, rate limit, context,
 * validation, metrics, error mapping). No domain logic lives here.
 */
@WebSocketGateway()
export class ClarityGateway implements OnGatewayInit<Server> {
  private readonly nestLogger = new NestLogger('Gateway');
  private readonly slots: ConnectionSlots;
  private server?: Server;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    private readonly lifecycle: LifecycleState,
    private readonly auth: AuthService,
    private readonly pipeline: RequestPipeline,
    private readonly updates: ModelUpdateService,
    private readonly userQuota: UserConnectionQuota,
  ) {
    this.slots = new ConnectionSlots(config.websocket.maxConnections);
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

  /**
   * Handshake: authenticate, reserve a slot of the process, then count the socket
   * against its user's quota (across replicas with Redis); a refusal never becomes
   * a connection and gives back what it took.
   */
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
    let lease: ConnectionLease | undefined;
    const releaseIfNeverConnected = (): void => {
      if (!settled) {
        settled = true;
        this.slots.release();
        lease?.release();
      }
    };
    socket.conn.once('close', releaseIfNeverConnected);
    try {
      lease = await this.userQuota.tryAcquire(userId);
    } catch (error) {
      socket.conn.off('close', releaseIfNeverConnected);
      releaseIfNeverConnected();
      throw error;
    }
    if (!lease) {
      socket.conn.off('close', releaseIfNeverConnected);
      releaseIfNeverConnected();
      this.metrics.quotaRejected('connections_per_user');
      throw refusal(
        `Quota exceeded: at most ${this.userQuota.max} connections per user (WS_MAX_CONNECTIONS_PER_USER)`,
        'QUOTA_EXCEEDED',
      );
    }
    if (settled) {
      // The transport closed while the quota was asked: the close handler ran before the lease existed.
      lease.release();
      throw refusal('Handshake aborted', 'ABORTED');
    }
    const data = socket.data as Partial<SocketData>;
    data.userId = userId;
    data.lease = lease;
    data.settle = () => {
      socket.conn.off('close', releaseIfNeverConnected);
      if (settled) return false;
      settled = true;
      return true;
    };
  }

  private onConnection(socket: Socket): void {
    const data = socket.data as SocketData;
    if (!data.settle?.()) {
      socket.disconnect(true);
      return;
    }
    this.slots.connected();
    this.metrics.wsConnectionsTotal.inc({ status: 'accepted' });
    data.bucket = new TokenBucket(this.config.websocket.rateLimitPerSecond);
    socket.once('disconnect', () => {
      this.slots.disconnected();
      data.lease?.release();
      this.metrics.wsConnectionsTotal.inc({ status: 'closed' });
    });
    socket.onAny((event: unknown, ...args: unknown[]) => this.pipeline.handle(socket, data, event, args));
  }

  /** Spec §3: `{id, type: "event", topic, payload: {uid, change}, timestamp}` on the event named by `topic`. */
  private broadcastUpdate(event: ModelUpdatedEvent): void {
    this.server?.to(`${ENTITY_ROOM_PREFIX}${event.uid}`).emit(MODEL_UPDATED, eventEnvelope(MODEL_UPDATED, event));
  }
}
