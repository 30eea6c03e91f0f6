import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import { preEncodedParser } from './pre-encoded-parser.js';

export interface RedisPair {
  pub: Redis;
  sub: Redis;
}

/**
 * Socket.IO server options from the configuration (ping, payload limit,
 * transports, CORS) and, with Redis configured, the Redis adapter that carries
 * room broadcasts (model updates) across Clarity replicas.
 */
export class ClarityIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis?: RedisPair,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const ws = this.config.websocket;
    const origins = ws.corsOrigins;
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      transports: ws.transports,
      pingTimeout: ws.pingTimeoutMs,
      pingInterval: ws.pingIntervalMs,
      maxHttpBufferSize: ws.maxPayloadBytes,
      connectTimeout: 10_000,
      serveClient: false,
      parser: preEncodedParser,
      cors: {
        origin: origins.includes('*') ? true : origins.length > 0 ? origins : this.config.env !== 'production',
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type', 'Authorization'],
        credentials: !origins.includes('*'),
      },
      allowRequest: (req, callback) => {
        // Browsers do not apply CORS to WebSocket upgrades, so the Origin is checked here too.
        const origin = req.headers.origin;
        if (!origin || origins.includes('*')) return callback(null, true);
        if (origins.length > 0) return callback(null, origins.includes(origin));
        if (this.config.env !== 'production') return callback(null, true);
        const host = req.headers.host;
        callback(null, origin === `http://${host}` || origin === `https://${host}`);
      },
    } as ServerOptions) as Server;
    if (this.redis) server.adapter(createAdapter(guardPublish(this.redis.pub), this.redis.sub));
    return server;
  }
}

/**
 * The Redis adapter fires PUBLISH and ignores the returned promise, so while
 * Redis is away (the connection fails commands at once) every broadcast was an
 * unhandled rejection. Local delivery does not depend on it; the outage itself
 * is reported by RedisService and /health. Callers that await still see errors.
 */
function guardPublish(pub: Redis): Redis {
  const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<number>;
  (pub as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args: unknown[]) => {
    const sent = publish(...args);
    sent.catch(() => undefined);
    return sent;
  };
  return pub;
}
