import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import type { MetricsService } from '../metrics/metrics.service.js';
import { silentLogger, type ArchivistLogger } from './archivist-logger.js';
import { pingRedis } from '../redis/redis-connection.js';

/** A shared second-level cache on Redis. The connections belong to the caller. */
export interface ArchivistRedisOptions {
  /** Command connection (short timeouts, no offline queue: see src/redis/redis-connection.ts). */
  client: Redis;
  /** Connection used only for SUBSCRIBE; without it, invalidations of other replicas are not received. */
  subscriber?: Redis;
  /** Prefix of every key and of the channel (default "clarity:archivist:"). */
  keyPrefix?: string;
}

export interface ArchivistCacheOptions {
  maxEntries: number;
  ttlSeconds: number;
  redis?: ArchivistRedisOptions;
  metrics?: MetricsService;
  logger?: ArchivistLogger;
  /** Called with the uids (dependency keys) another replica invalidated, or null for "everything". */
  onRemoteInvalidate?: (deps: string[] | null) => void;
}

export type CacheDependencyStatus = 'connected' | 'disabled' | 'unavailable';

/** A cache lookup: what was found, and how to store a fetched value under the generation read now. */
export interface CacheLookup<T> {
  hit: boolean;
  value?: T;
  /** Stores the value under the generations captured before the fetch (a concurrent invalidation wins). */
  store(value: T): Promise<void>;
}

interface MemoryEntry {
  value: unknown;
  dep: string;
}

/**
 * Reads of the Archivist are cached in two levels:
 *
 * 1. an in-process LRU (always; `maxEntries`, `ttlSeconds`);
 * 2. Redis (when configured), shared by all replicas, entries with `EX ttlSeconds`.
 *
 * Invalidation uses versioned keys. Every entry depends on one uid (its query
 * uid, or "search" for searches) and its key ends with that uid's generation:
 * in process a local counter, in Redis a field of the hash `<prefix>gen`.
 * `invalidate(uid)` bumps both (HINCRBY) and publishes the uids on
 * `<prefix>invalidate`; every replica drops its in-process entries of those
 * uids on the message. Entries written under an old generation are never read
 * again (they expire by TTL), and a fetch that raced with an invalidation is
 * stored under the generation read *before* it, so stale data cannot come back.
 *
 * Redis failures never fail a read: the cache degrades to the in-process level,
 * warns once per outage and notes when Redis answers again.
 */
export class ArchivistCache {
  readonly instanceId = randomUUID();
  private readonly memory: LRUCache<string, MemoryEntry>;
  private readonly memoryIndex = new Map<string, Set<string>>();
  private readonly localGenerations = new Map<string, number>();
  private readonly redis?: ArchivistRedisOptions;
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly logger: ArchivistLogger;
  private readonly metrics?: MetricsService;
  private readonly onRemoteInvalidate?: (deps: string[] | null) => void;
  private redisDown = false;
  private readonly pendingInvalidations = new Set<string>();
  private subscriberLost = false;
  private closed = false;
  private readonly listeners: Array<[Redis, string, RedisListener]> = [];

  constructor(options: ArchivistCacheOptions) {
    this.ttlSeconds = options.ttlSeconds;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics;
    this.onRemoteInvalidate = options.onRemoteInvalidate;
    this.memory = new LRUCache<string, MemoryEntry>({
      max: Math.max(1, Math.floor(options.maxEntries)),
      ttl: Math.max(1, options.ttlSeconds * 1000),
      dispose: (entry, key) => {
        const keys = this.memoryIndex.get(entry.dep);
        keys?.delete(key);
        if (keys?.size === 0) this.memoryIndex.delete(entry.dep);
      },
    });
    this.redis = options.redis;
    this.prefix = options.redis?.keyPrefix ?? 'clarity:archivist:';
    if (this.redis) this.attachRedis(this.redis);
  }

  get redisEnabled(): boolean {
    return this.redis !== undefined;
  }

  get memorySize(): number {
    return this.memory.size;
  }

  /**
   * Looks `key` (endpoint + parameters) up, first in process, then in Redis.
   * The generations are captured here, before the caller fetches.
   */
  async lookup<T>(key: string, dep: string): Promise<CacheLookup<T>> {
    const memoryKey = this.memoryKey(key, dep);
    const inMemory = this.memory.get(memoryKey);
    const storeMemory = (value: T) => {
      if (this.localGeneration(dep) !== this.generationOf(memoryKey)) return;
      this.memory.set(memoryKey, { value, dep });
      let keys = this.memoryIndex.get(dep);
      if (!keys) this.memoryIndex.set(dep, (keys = new Set()));
      keys.add(memoryKey);
    };
    if (inMemory) {
      this.metrics?.cacheHits.inc({ level: 'memory' });
      return { hit: true, value: inMemory.value as T, store: async () => undefined };
    }

    const fromRedis = await this.redisLookup(key, dep);
    if (fromRedis?.value !== undefined) {
      this.metrics?.cacheHits.inc({ level: 'redis' });
      const value = fromRedis.value as T;
      storeMemory(value);
      return { hit: true, value, store: async () => undefined };
    }
    this.metrics?.cacheMisses.inc();
    const redisGeneration = fromRedis?.generation;
    return {
      hit: false,
      store: async (value: T) => {
        storeMemory(value);
        if (redisGeneration !== undefined) await this.redisStore(key, redisGeneration, value);
      },
    };
  }

  /**
   * Drops the entries of these uids in both levels, here and (through Redis
   * pub/sub) in every other replica. Redis being away degrades to local only.
   */
  async invalidate(deps: string[]): Promise<void> {
    const unique = [...new Set(deps)];
    for (const dep of unique) this.dropLocal(dep);
    await this.invalidateShared(unique);
  }

  /**
   * Bumps the Redis generations and tells the other replicas. When Redis is
   * away the uids are remembered and sent as soon as it is back, so entries
   * that survived the outage in Redis are not served afterwards.
   */
  private async invalidateShared(unique: string[]): Promise<void> {
    const client = this.redis?.client;
    if (!client || unique.length === 0) return;
    if (client.status !== 'ready') {
      for (const dep of unique) this.pendingInvalidations.add(dep);
      this.noteRedisFailure(new Error(`connection ${client.status}`));
      return;
    }
    try {
      const pipeline = client.pipeline();
      for (const dep of unique) pipeline.hincrby(this.generationsKey, dep, 1);
      pipeline.publish(this.channel, JSON.stringify({ origin: this.instanceId, deps: unique }));
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      this.noteRedisSuccess();
    } catch (err) {
      for (const dep of unique) this.pendingInvalidations.add(dep);
      this.noteRedisFailure(err);
    }
  }

  private flushPendingInvalidations(): void {
    if (this.pendingInvalidations.size === 0 || this.closed) return;
    const deps = [...this.pendingInvalidations];
    this.pendingInvalidations.clear();
    void this.invalidateShared(deps);
  }

  /** Empties the in-process level (e.g. after missing invalidations while Redis was away). */
  clearMemory(): void {
    this.memory.clear();
    this.memoryIndex.clear();
  }

  /** For health: Redis PING within a short timeout. */
  async status(timeoutMs = 1000): Promise<CacheDependencyStatus> {
    const client = this.redis?.client;
    return client ? pingRedis(client, timeoutMs) : 'disabled';
  }

  /** Stops listening to Redis (the connections themselves belong to the caller). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [connection, event, listener] of this.listeners) connection.off(event, listener);
    const subscriber = this.redis?.subscriber;
    if (subscriber && subscriber.status === 'ready') {
      await subscriber.unsubscribe(this.channel).catch(() => undefined);
    }
    this.clearMemory();
  }

  private get generationsKey(): string {
    return `${this.prefix}gen`;
  }

  private get channel(): string {
    return `${this.prefix}invalidate`;
  }

  private localGeneration(dep: string): number {
    return this.localGenerations.get(dep) ?? 0;
  }

  /** The in-process key of `key` under the uid's current generation (also the single-flight key). */
  currentKey(key: string, dep: string): string {
    return this.memoryKey(key, dep);
  }

  private memoryKey(key: string, dep: string): string {
    return `${key}#${this.localGeneration(dep)}`;
  }

  private generationOf(memoryKey: string): number {
    return Number(memoryKey.slice(memoryKey.lastIndexOf('#') + 1));
  }

  private dropLocal(dep: string): void {
    this.localGenerations.set(dep, this.localGeneration(dep) + 1);
    const keys = this.memoryIndex.get(dep);
    if (!keys) return;
    for (const key of [...keys]) this.memory.delete(key);
    this.memoryIndex.delete(dep);
  }

  private async redisLookup(key: string, dep: string): Promise<{ generation: string; value?: unknown } | undefined> {
    const client = this.redis?.client;
    if (!client) return undefined;
    if (client.status !== 'ready') {
      this.noteRedisFailure(new Error(`connection ${client.status}`));
      return undefined;
    }
    try {
      // One round trip: read the uid's generation, then the entry stored under it.
      const [generation, raw] = (await client.eval(
        LOOKUP_SCRIPT,
        1,
        this.generationsKey,
        dep,
        this.entryKeyBase(key),
      )) as [string, string | null | undefined];
      this.noteRedisSuccess();
      if (raw === null || raw === undefined) return { generation: String(generation) };
      try {
        return { generation: String(generation), value: (JSON.parse(raw) as { v: unknown }).v };
      } catch {
        return { generation: String(generation) };
      }
    } catch (err) {
      this.noteRedisFailure(err);
      return undefined;
    }
  }

  private async redisStore(key: string, generation: string, value: unknown): Promise<void> {
    const client = this.redis?.client;
    if (!client || client.status !== 'ready') return;
    try {
      await client.set(`${this.entryKeyBase(key)}${generation}`, JSON.stringify({ v: value }), 'EX', this.ttlSeconds);
      this.noteRedisSuccess();
    } catch (err) {
      this.noteRedisFailure(err);
    }
  }

  private entryKeyBase(key: string): string {
    return `${this.prefix}e:${key}#`;
  }

  private attachRedis(redis: ArchivistRedisOptions): void {
    const on = (connection: Redis, event: string, listener: RedisListener) => {
      connection.on(event, listener);
      this.listeners.push([connection, event, listener]);
    };
    on(redis.client, 'error', (err: Error) => this.noteRedisFailure(err));
    on(redis.client, 'ready', () => {
      this.noteRedisSuccess();
      this.flushPendingInvalidations();
    });
    const subscriber = redis.subscriber;
    if (!subscriber) return;
    on(subscriber, 'error', () => undefined);
    on(subscriber, 'message', (channel: string, message: string) => this.onMessage(channel, message));
    on(subscriber, 'close', () => {
      if (!this.closed) this.subscriberLost = true;
    });
    on(subscriber, 'ready', () => {
      if (!this.subscriberLost) return;
      // Invalidations published while we were disconnected are lost: start afresh.
      this.subscriberLost = false;
      this.clearMemory();
      this.onRemoteInvalidate?.(null);
    });
    subscriber.subscribe(this.channel).catch((err: Error) => {
      this.logger.warn(`Archivist cache: cannot subscribe to invalidations (${err.message})`, {
        context: 'ArchivistCache',
      });
    });
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return;
    let parsed: { origin?: unknown; deps?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.origin === this.instanceId || !Array.isArray(parsed.deps)) return;
    const deps = parsed.deps.filter((d): d is string => typeof d === 'string');
    for (const dep of deps) this.dropLocal(dep);
    this.onRemoteInvalidate?.(deps);
  }

  private noteRedisFailure(err: unknown): void {
    if (this.redisDown || this.closed) return;
    this.redisDown = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(`Archivist cache: Redis unavailable (${reason}); using the in-process cache only`, {
      context: 'ArchivistCache',
    });
  }

  private noteRedisSuccess(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.info('Archivist cache: Redis available again', { context: 'ArchivistCache' });
  }
}

type RedisListener = (...args: any[]) => void;

const LOOKUP_SCRIPT = `
local g = redis.call('HGET', KEYS[1], ARGV[1])
if not g then g = '0' end
return {g, redis.call('GET', ARGV[2] .. g)}
`;
