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
  /** Bytes the in-process level may hold (entries weigh their JSON length, see noteResponseSize). */
  maxBytes?: number;
  ttlSeconds: number;
  redis?: ArchivistRedisOptions;
  metrics?: MetricsService;
  logger?: ArchivistLogger;
  /** Called with the uids (dependency keys) another replica invalidated, or null for "everything". */
  onRemoteInvalidate?: (deps: string[] | null) => void;
}

export type CacheDependencyStatus = 'connected' | 'disabled' | 'unavailable';

/** Length of the JSON an answer was parsed from, by the parsed value (the weight of its cache entry). */
const responseSizes = new WeakMap<object, number>();
/** Weight of an entry whose size was not noted (a primitive, e.g. a nature or a category), besides its key. */
const SMALL_ENTRY_BYTES = 64;

/**
 * Notes that `value` was parsed from `bytes` of JSON: its entry in the in-process cache
 * weighs that much (a parsed fact takes about 0.9 × its JSON length of heap). The first
 * note of a value wins (a parser that keeps only part of an answer notes that part).
 */
export function noteResponseSize<T>(value: T, bytes: number): T {
  if (typeof value === 'object' && value !== null && !responseSizes.has(value)) responseSizes.set(value, bytes);
  return value;
}

function entryBytes(entry: MemoryEntry, key: string): number {
  const value = entry.value;
  const noted = typeof value === 'object' && value !== null ? responseSizes.get(value) : undefined;
  return Math.max(1, Math.ceil((noted ?? SMALL_ENTRY_BYTES) + key.length));
}

interface MemoryEntry {
  value: unknown;
  dep: string;
}

/** What a fetch of the in-process level needs: the entry's key, its uid and how to read it from the Archivist. */
interface FetchContext {
  key: string;
  dep: string;
  load: () => Promise<unknown>;
}

/**
 * Reads of the Archivist are cached in two levels:
 *
 * 1. an in-process LRU (always; `maxEntries`, `ttlSeconds`), lru-cache with a
 *    `fetchMethod`: concurrent misses of one key share one fetch;
 * 2. Redis (when configured), shared by all replicas, entries with `EX ttlSeconds`.
 *    It is read inside that fetch rather than being a second lru-cache: its
 *    entries are versioned by a generation read from Redis in the same round
 *    trip, and a Redis failure must fall through to the Archivist, not fail.
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
  private readonly instanceId = randomUUID();
  private readonly memory: LRUCache<string, MemoryEntry, FetchContext>;
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
    this.memory = new LRUCache<string, MemoryEntry, FetchContext>({
      max: Math.max(1, Math.floor(options.maxEntries)),
      ...(options.maxBytes === undefined
        ? {}
        : { maxSize: Math.max(1, Math.floor(options.maxBytes)), sizeCalculation: entryBytes }),
      ttl: Math.max(1, options.ttlSeconds * 1000),
      // A fetch whose entry was dropped meanwhile (invalidation, eviction) still answers its callers.
      ignoreFetchAbort: true,
      fetchMethod: (memoryKey, _stale, { context }) => this.fetch(memoryKey, context),
      onInsert: (entry, key) => {
        let keys = this.memoryIndex.get(entry.dep);
        if (!keys) this.memoryIndex.set(entry.dep, (keys = new Set()));
        keys.add(key);
      },
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

  /**
   * The value of `key` (endpoint + parameters), whose data belong to the uid
   * `dep`: from memory, else from Redis, else `load()` (the Archivist), stored
   * in both levels. Concurrent misses share one fetch; a read issued after an
   * invalidation of `dep` never joins a fetch started before it (the memory key
   * carries the uid's generation).
   */
  read<T>(key: string, dep: string, load: () => Promise<T>): Promise<T> {
    const memoryKey = this.memoryKey(key, dep);
    const inMemory = this.memory.get(memoryKey);
    if (inMemory) {
      this.metrics?.cacheHits.inc({ level: 'memory' });
      return Promise.resolve(inMemory.value as T);
    }
    return this.memory.fetch(memoryKey, { context: { key, dep, load } }).then((entry) => entry?.value as T);
  }

  /** Bytes held by the in-process level (0 when it is bounded by entries only). */
  get bytes(): number {
    return this.memory.calculatedSize ?? 0;
  }

  /** A miss of the in-process level: Redis, else the Archivist. */
  private async fetch(memoryKey: string, { key, dep, load }: FetchContext): Promise<MemoryEntry> {
    const fromRedis = await this.redisLookup(key, dep);
    if (fromRedis?.value !== undefined) {
      this.metrics?.cacheHits.inc({ level: 'redis' });
      return this.fetched(memoryKey, { value: fromRedis.value, dep });
    }
    this.metrics?.cacheMisses.inc();
    const value = await load();
    // Stored in Redis under the generation read before the load: a concurrent invalidation wins.
    if (fromRedis !== undefined) await this.redisStore(key, fromRedis.generation, value);
    return this.fetched(memoryKey, { value, dep });
  }

  /** Keeps the entry in memory unless its uid was invalidated while it was fetched. */
  private fetched(memoryKey: string, entry: MemoryEntry): MemoryEntry {
    if (this.generationOf(memoryKey) !== this.localGeneration(entry.dep)) this.memory.delete(memoryKey);
    return entry;
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
  private clearMemory(): void {
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
        const value = (JSON.parse(raw) as { v: unknown }).v;
        return { generation: String(generation), value: noteResponseSize(value, raw.length) };
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
