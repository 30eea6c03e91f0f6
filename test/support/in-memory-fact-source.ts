import { FactStore } from '../../src/archivist-server/fact-store.js';
import type { Fact } from '../../src/gellish/fact.js';
import type { FactSource } from '../../src/semantic/fact-source.js';

export type FactSourceMethod = keyof FactSource;

/**
 * The engine's FactSource over facts in memory, for tests: every query is answered
 * by the embedded Archivist's FactStore (the one implementation of the Archivist
 * endpoints' semantics). Answers come asynchronously and as copies, like answers
 * read from HTTP; calls are counted per method, with the largest number in flight.
 */
export class InMemoryFactSource implements FactSource {
  readonly calls: Record<FactSourceMethod, number> = {
    allRelatedFacts: 0,
    definitiveFacts: 0,
    subtypesCone: 0,
    relatedOnSubtypeCone: 0,
    classified: 0,
    fact: 0,
  };
  /** uids passed to allRelatedFacts, in call order. */
  readonly relatedFactsLog: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private store: FactStore;

  constructor(facts: readonly Fact[] = []) {
    this.store = FactStore.fromFacts(facts);
  }

  /** Replaces all facts (e.g. to simulate an update). */
  setFacts(facts: readonly Fact[]): void {
    this.store = FactStore.fromFacts(facts);
  }

  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    for (const k of Object.keys(this.calls) as FactSourceMethod[]) this.calls[k] = 0;
    this.relatedFactsLog.length = 0;
    this.maxInFlight = 0;
  }

  private async count<T>(method: FactSourceMethod, compute: (store: FactStore) => T): Promise<T> {
    this.calls[method]++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return structuredClone(compute(this.store));
    } finally {
      this.inFlight--;
    }
  }

  allRelatedFacts(uid: number): Promise<Fact[]> {
    this.relatedFactsLog.push(uid);
    return this.count('allRelatedFacts', (store) => store.allRelatedFacts(uid));
  }

  definitiveFacts(uid: number): Promise<Fact[]> {
    return this.count('definitiveFacts', (store) => store.definitiveFacts(uid));
  }

  subtypesCone(uid: number): Promise<Fact[]> {
    return this.count('subtypesCone', (store) => store.subtypesCone(uid));
  }

  relatedOnSubtypeCone(lhObjectUid: number, relTypeUid: number): Promise<Fact[]> {
    return this.count('relatedOnSubtypeCone', (store) => store.relatedOnSubtypeCone(lhObjectUid, relTypeUid));
  }

  classified(uid: number): Promise<Fact[]> {
    return this.count('classified', (store) => store.classified(uid));
  }

  fact(factUid: number): Promise<Fact | null> {
    return this.count('fact', (store) => store.fact(factUid) ?? null);
  }
}
