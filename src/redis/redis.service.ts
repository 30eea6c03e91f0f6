import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { closeRedisConnection, createRedisConnection, subscriberConnectionOptions } from './redis-connection.js';

/**
 * Owns Clarity's Redis connections when `config.redis.url` is set: the shared
 * command connection (`client`) and any duplicates handed out for pub/sub
 * (`createSubscriber()`, `duplicate()` — e.g. the Socket.IO Redis adapter).
 * All of them are closed on application shutdown. With no URL configured,
 * `isEnabled` is false and `client` is undefined.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis | undefined;
  private readonly duplicates = new Set<Redis>();
  private outage = false;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const url = config.redis.url;
    if (url) {
      this.client = createRedisConnection(url, { connectionName: 'clarity' });
      this.watch(this.client, 'client');
      this.logger.info(`Redis configured (${redactUrl(url)})`, { context: 'Redis' });
    }
  }

  get isEnabled(): boolean {
    return this.client !== undefined;
  }

  /** A new connection with the main client's options; closed with the service. */
  duplicate(overrides: RedisOptions = {}): Redis {
    if (!this.client) throw new Error('Redis is not configured');
    const connection = this.client.duplicate(overrides);
    this.duplicates.add(connection);
    connection.once('end', () => this.duplicates.delete(connection));
    this.watch(connection, 'duplicate');
    return connection;
  }

  /** A connection for SUBSCRIBE (queues its commands until connected, re-subscribes on reconnect). */
  createSubscriber(): Redis {
    return this.duplicate(subscriberConnectionOptions({ connectionName: 'clarity-sub' }));
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.duplicates, ...(this.client ? [this.client] : [])];
    await Promise.all(all.map((c) => closeRedisConnection(c)));
    this.duplicates.clear();
  }

  /** One warning per outage (not per failed command), one info when it is back. */
  private watch(connection: Redis, role: string): void {
    connection.on('error', (err: Error) => {
      if (role !== 'client' || this.outage) return;
      this.outage = true;
      this.logger.warn(`Redis unavailable (${err.message}); using the in-process cache until it is back`, {
        context: 'Redis',
      });
    });
    connection.on('ready', () => {
      if (role !== 'client' || !this.outage) return;
      this.outage = false;
      this.logger.info('Redis connection restored', { context: 'Redis' });
    });
  }
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
