import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { RedisService } from '../redis/redis.service.js';

/** A counted live socket of a user; release() (idempotent) gives the slot back. */
export interface ConnectionLease {
  release(): void;
}

export interface ConnectionQuotaOptions {
  /** WS_MAX_CONNECTIONS_PER_USER. */
  max: number;
  /** How long a socket stays counted in Redis without a heartbeat (a crashed replica's sockets expire after it). */
  leaseTtlMs?: number;
  /** How often this process renews the leases of its live sockets (well below leaseTtlMs). */
  heartbeatMs?: number;
  keyPrefix?: string;
}

export const CONNECTION_LEASE_TTL_MS = 45_000;
export const CONNECTION_HEARTBEAT_MS = 15_000;
const KEY_PREFIX = 'clarity:quota:connections:';
/** Leases renewed per Redis call. */
const HEARTBEAT_CHUNK = 500;

/** Milliseconds of Redis's own clock: all replicas compare expiries on one clock. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] the user's sorted set (member: one socket, score: when its lease expires);
 * ARGV: max, member, ttl ms. Drops expired leases, then adds the member if the
 * user has fewer than max: 1 admitted, 0 refused. Atomic, so concurrent
 * handshakes on several replicas cannot overshoot.
 */
const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/** KEYS: users' sorted sets; ARGV[1] ttl ms, ARGV[i + 1] the member of KEYS[i]: renews (or restores) each lease. */
const HEARTBEAT = `${NOW}
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS`;

/**
 * Live sockets per user (WS_MAX_CONNECTIONS_PER_USER, spec §3 "Quotas").
 *
 * With Redis, the count holds across replicas: each user has a sorted set
 * `clarity:quota:connections:<user>` with one member per live socket
 * (`<replica id>:<n>`), scored by when its lease expires on Redis's clock. A
 * handshake is admitted by one Lua script (drop expired members, count, add);
 * a disconnect removes its member; every CONNECTION_HEARTBEAT_MS each replica
 * renews the leases of its live sockets in a few calls. A replica that dies
 * without closing its sockets stops renewing them, so they stop counting after
 * CONNECTION_LEASE_TTL_MS at most — quota never leaks for good. A graceful
 * shutdown removes this replica's members at once.
 *
 * Without Redis — or while Redis is unreachable, so that an outage does not
 * lock every user out — the count is this process's own (the per-process
 * limit); the heartbeat puts the live sockets back into Redis once it returns.
 */
export class ConnectionQuotaCounter {
  readonly max: number;
  private readonly ttlMs: number;
  private readonly prefix: string;
  private readonly replica = randomUUID();
  private sequence = 0;
  /** This process's live leases: user → members. */
  private readonly live = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout | undefined;
  private redisDown = false;

  constructor(
    options: ConnectionQuotaOptions,
    private readonly redis: Redis | undefined,
    private readonly logger?: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.max = options.max;
    this.ttlMs = options.leaseTtlMs ?? CONNECTION_LEASE_TTL_MS;
    this.prefix = options.keyPrefix ?? KEY_PREFIX;
    if (redis) {
      this.timer = setInterval(() => void this.heartbeat(), options.heartbeatMs ?? CONNECTION_HEARTBEAT_MS);
      this.timer.unref();
    }
  }

  /** Counts a new socket of `userId`, or undefined when the user already has `max`. */
  async tryAcquire(userId: string): Promise<ConnectionLease | undefined> {
    const member = `${this.replica}:${++this.sequence}`;
    const key = this.key(userId);
    if (this.redis) {
      try {
        const admitted = await this.redis.eval(ACQUIRE, 1, key, this.max, member, this.ttlMs);
        this.redisBack();
        return admitted === 1 ? this.lease(userId, key, member) : undefined;
      } catch (error) {
        this.redisFailed(error);
      }
    }
    if ((this.live.get(userId)?.size ?? 0) >= this.max) return undefined;
    return this.lease(userId, key, member);
  }

  /** Live sockets of `userId` on this process. */
  localCount(userId: string): number {
    return this.live.get(userId)?.size ?? 0;
  }

  /** Renews this process's leases in Redis (also restores those admitted while Redis was away). */
  async heartbeat(): Promise<void> {
    if (!this.redis) return;
    const keys: string[] = [];
    const members: string[] = [];
    for (const [userId, set] of this.live) {
      const key = this.key(userId);
      for (const member of set) {
        keys.push(key);
        members.push(member);
      }
    }
    try {
      for (let i = 0; i < keys.length; i += HEARTBEAT_CHUNK) {
        const k = keys.slice(i, i + HEARTBEAT_CHUNK);
        await this.redis.eval(HEARTBEAT, k.length, ...k, this.ttlMs, ...members.slice(i, i + HEARTBEAT_CHUNK));
      }
      if (keys.length > 0) this.redisBack();
    } catch (error) {
      this.redisFailed(error);
    }
  }

  /** Stops the heartbeat and removes this process's leases from Redis (graceful shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.redis || this.live.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [userId, set] of this.live) pipeline.zrem(this.key(userId), ...set);
    this.live.clear();
    await pipeline.exec().catch(() => undefined);
  }

  /** Stops the heartbeat only, leaving the leases in Redis — as a crashed process would (tests). */
  abandon(): void {
    if (this.timer) clearInterval(this.timer);
    this.live.clear();
  }

  private lease(userId: string, key: string, member: string): ConnectionLease {
    let set = this.live.get(userId);
    if (!set) {
      set = new Set();
      this.live.set(userId, set);
    }
    set.add(member);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const current = this.live.get(userId);
        if (current?.delete(member) && current.size === 0) this.live.delete(userId);
        // A failed ZREM is harmless: the lease expires without heartbeats.
        this.redis?.zrem(key, member).catch(() => undefined);
      },
    };
  }

  /** User ids are client-chosen text: long ones are hashed to keep keys short. */
  private key(userId: string): string {
    return userId.length <= 128
      ? `${this.prefix}${userId}`
      : `${this.prefix}sha256:${createHash('sha256').update(userId).digest('hex')}`;
  }

  private redisFailed(error: unknown): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.logger?.warn(
      `Connection quota: Redis unavailable (${error instanceof Error ? error.message : String(error)}); counting sockets per process until it is back`,
      { context: 'Quota' },
    );
  }

  private redisBack(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger?.info('Connection quota: Redis is back; counting sockets across replicas again', { context: 'Quota' });
  }
}

/** The gateway's ConnectionQuotaCounter: Redis from RedisService when configured, WS_MAX_CONNECTIONS_PER_USER. */
@Injectable()
export class UserConnectionQuota extends ConnectionQuotaCounter implements BeforeApplicationShutdown {
  constructor(@Inject(CONFIG) config: AppConfig, redis: RedisService, @Inject(LOGGER) logger: Logger) {
    super({ max: config.quotas.connectionsPerUser }, redis.client, logger);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
