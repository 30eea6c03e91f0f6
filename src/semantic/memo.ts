import { LRUCache } from 'lru-cache';

/**
 * A bounded memo of asynchronously built values on lru-cache's `fetchMethod`:
 * concurrent misses of one key share one build, a failed build is not
 * remembered, and an entry deleted while it is being built (an invalidation)
 * is not stored afterwards, though the callers waiting for it still get it.
 */
export class Memo<K extends NonNullable<unknown>, V extends NonNullable<unknown>, C = undefined> {
  private readonly cache: LRUCache<K, V, C>;

  constructor(max: number, build: (key: K, context: C) => Promise<V>) {
    this.cache = new LRUCache<K, V, C>({
      max: Math.max(1, Math.floor(max)),
      ignoreFetchAbort: true,
      fetchMethod: (key, _stale, { context }) => build(key, context as C),
    });
  }

  /** A hit is a plain LRU get (nothing awaited); a miss starts or joins the key's build. */
  get(key: K, context?: C): Promise<V> {
    const hit = this.cache.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    // lru-cache types fetch()'s options by whether C is undefined; here C is generic.
    const fetch = this.cache.fetch as (this: LRUCache<K, V, C>, key: K, options: { context?: C }) => Promise<V>;
    return fetch.call(this.cache, key, { context });
  }

  delete(key: K): void {
    this.cache.delete(key);
  }

  clear(): void {
    this.cache.clear();
  }
}
