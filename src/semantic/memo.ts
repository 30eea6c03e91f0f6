import { LRUCache } from 'lru-cache';

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
 */
export class Memo<K extends NonNullable<unknown>, V, C = undefined> {
  private readonly cache: LRUCache<K, Entry<V>, C>;

  constructor(max: number, build: (key: K, context: C) => Promise<V>) {
    this.cache = new LRUCache<K, Entry<V>, C>({
      max: Math.max(1, Math.floor(max)),
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

  /** The value when it is built and kept (no build, no recency update). */
  peek(key: K): V | undefined {
    return this.cache.peek(key)?.value;
  }

  delete(key: K): void {
    this.cache.delete(key);
  }

  clear(): void {
    this.cache.clear();
  }
}
