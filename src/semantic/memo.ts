import { LRUCache } from 'lru-cache';

/** A byte bound: at most `maxBytes` of values, each weighing `sizeOf(value)` (a cheap estimate). */
export interface MemoSizing<V> {
  maxBytes: number;
  sizeOf: (value: V) => number;
}

/** A built value, with the settled promise every later hit hands out (no allocation per hit). */
interface Entry<V> {
  value: V;
  settled: Promise<V>;
}

/**
 * A bounded memo of asynchronously built values on lru-cache's `fetchMethod`:
 * concurrent misses of one key share one build, a failed build is not
 * remembered, and an entry deleted while it is being built (an invalidation)
 * is not stored afterwards, though the callers waiting for it still get it.
 * With `sizing`, the entries are also bounded in bytes: least recently used ones
 * are evicted to make room, and a value heavier than the whole bound is built and
 * answered but not kept.
 */
export class Memo<K extends NonNullable<unknown>, V, C = undefined> {
  private readonly cache: LRUCache<K, Entry<V>, C>;

  constructor(max: number, build: (key: K, context: C) => Promise<V>, sizing?: MemoSizing<V>) {
    this.cache = new LRUCache<K, Entry<V>, C>({
      max: Math.max(1, Math.floor(max)),
      ...(sizing
        ? {
            maxSize: Math.max(1, Math.floor(sizing.maxBytes)),
            sizeCalculation: (entry: Entry<V>) => Math.max(1, Math.ceil(sizing.sizeOf(entry.value))),
          }
        : {}),
      ignoreFetchAbort: true,
      fetchMethod: async (key, _stale, { context }) => {
        const value = await build(key, context as C);
        return { value, settled: Promise.resolve(value) };
      },
    });
  }

  /** A hit is a plain LRU get (nothing awaited or allocated); a miss starts or joins the key's build. */
  get(key: K, context?: C): Promise<V> {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit.settled;
    // lru-cache types fetch()'s options by whether C is undefined; here C is generic.
    const fetch = this.cache.fetch as (
      this: LRUCache<K, Entry<V>, C>,
      key: K,
      options: { context?: C },
    ) => Promise<Entry<V>>;
    return fetch.call(this.cache, key, { context }).then((entry) => entry.value);
  }

  /**
   * The value when it is built and kept, as a hit of get() would answer it (recency
   * updated), without a promise: lets a caller answer a warm request synchronously.
   * undefined on a miss (nothing is started).
   */
  hit(key: K): V | undefined {
    return this.cache.get(key)?.value;
  }

  /** The value when it is built and kept (no build, no recency update). */
  peek(key: K): V | undefined {
    return this.cache.peek(key)?.value;
  }

  /** Bytes held (the sum of sizeOf of the kept values; 0 without sizing). */
  get bytes(): number {
    return this.cache.calculatedSize ?? 0;
  }

  /** Number of values kept. */
  get size(): number {
    return this.cache.size;
  }

  delete(key: K): void {
    this.cache.delete(key);
  }

  clear(): void {
    this.cache.clear();
  }
}
