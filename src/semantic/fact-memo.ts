import { LRUCache } from 'lru-cache';
import type { Fact } from '../gellish/fact.js';
import type { FactSource } from './fact-source.js';

/**
 * Memoised `allRelatedFacts` per entity: a bounded LRU of promises, so concurrent
 * requests for the same uid share one call, and a failed call is not remembered.
 */
export class FactMemo {
  private readonly cache: LRUCache<number, Promise<Fact[]>>;

  constructor(
    private readonly source: FactSource,
    maxEntries: number,
  ) {
    this.cache = new LRUCache<number, Promise<Fact[]>>({ max: Math.max(1, maxEntries) });
  }

  factsOf(uid: number): Promise<Fact[]> {
    const hit = this.cache.get(uid);
    if (hit) return hit;
    const pending = this.source.allRelatedFacts(uid);
    this.cache.set(uid, pending);
    pending.catch(() => {
      if (this.cache.get(uid) === pending) this.cache.delete(uid);
    });
    return pending;
  }

  invalidate(uid: number): void {
    this.cache.delete(uid);
  }

  clear(): void {
    this.cache.clear();
  }
}
