import type { Fact } from '../../src/gellish/fact.js';
import { RelationType } from '../../src/gellish/gellish-uids.js';
import type { FactSource } from '../../src/semantic/fact-source.js';

export type FactSourceMethod = keyof FactSource;

/**
 * Test helper: a FactSource over facts in memory, with the Archivist endpoints'
 * semantics, that counts calls per method and the largest number of calls in flight.
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
  private byUid = new Map<number, Fact[]>();
  private byFact = new Map<number, Fact>();
  private specializationTypes = new Set<number>();
  private children = new Map<number, Fact[]>();

  constructor(private facts: Fact[] = []) {
    this.reindex();
  }

  /** Replaces all facts (e.g. to simulate an update) and rebuilds the indexes. */
  setFacts(facts: Fact[]): void {
    this.facts = facts;
    this.reindex();
  }

  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    for (const k of Object.keys(this.calls) as FactSourceMethod[]) this.calls[k] = 0;
    this.relatedFactsLog.length = 0;
    this.maxInFlight = 0;
  }

  private reindex(): void {
    this.byUid = new Map();
    this.byFact = new Map();
    for (const f of this.facts) {
      this.byFact.set(f.fact_uid, f);
      for (const u of new Set([f.lh_object_uid, f.rh_object_uid])) {
        const list = this.byUid.get(u) ?? [];
        list.push(f);
        this.byUid.set(u, list);
      }
    }
    // Relation types in the specialization cone: 1146 and its subtypes, to a fixpoint.
    this.specializationTypes = new Set([RelationType.SPECIALIZATION]);
    for (let grown = true; grown;) {
      grown = false;
      for (const f of this.facts) {
        if (
          this.specializationTypes.has(f.rel_type_uid) &&
          this.specializationTypes.has(f.rh_object_uid) &&
          !this.specializationTypes.has(f.lh_object_uid)
        ) {
          this.specializationTypes.add(f.lh_object_uid);
          grown = true;
        }
      }
    }
    this.children = new Map();
    for (const f of this.facts) {
      if (!this.specializationTypes.has(f.rel_type_uid)) continue;
      const list = this.children.get(f.rh_object_uid) ?? [];
      list.push(f);
      this.children.set(f.rh_object_uid, list);
    }
  }

  private descendants(uid: number): Set<number> {
    const seen = new Set<number>();
    const stack = [uid];
    while (stack.length > 0) {
      const u = stack.pop() as number;
      for (const f of this.children.get(u) ?? []) {
        if (!seen.has(f.lh_object_uid)) {
          seen.add(f.lh_object_uid);
          stack.push(f.lh_object_uid);
        }
      }
    }
    return seen;
  }

  private async count<T>(method: FactSourceMethod, compute: () => T): Promise<T> {
    this.calls[method]++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return structuredClone(compute());
    } finally {
      this.inFlight--;
    }
  }

  allRelatedFacts(uid: number): Promise<Fact[]> {
    this.relatedFactsLog.push(uid);
    return this.count('allRelatedFacts', () => this.byUid.get(uid) ?? []);
  }

  definitiveFacts(uid: number): Promise<Fact[]> {
    return this.count('definitiveFacts', () => {
      const classification = new Set([RelationType.CLASSIFICATION, ...this.descendants(RelationType.CLASSIFICATION)]);
      return (this.byUid.get(uid) ?? []).filter(
        (f) =>
          f.lh_object_uid === uid &&
          (this.specializationTypes.has(f.rel_type_uid) || classification.has(f.rel_type_uid)),
      );
    });
  }

  subtypesCone(uid: number): Promise<Fact[]> {
    return this.count('subtypesCone', () => {
      const out: Fact[] = [];
      for (const d of this.descendants(uid)) {
        for (const f of this.byUid.get(d) ?? []) {
          if (f.lh_object_uid === d && this.specializationTypes.has(f.rel_type_uid)) out.push(f);
        }
      }
      return out;
    });
  }

  relatedOnSubtypeCone(lhObjectUid: number, relTypeUid: number): Promise<Fact[]> {
    return this.count('relatedOnSubtypeCone', () => {
      const cone = new Set([relTypeUid, ...this.descendants(relTypeUid)]);
      return (this.byUid.get(lhObjectUid) ?? []).filter(
        (f) => f.lh_object_uid === lhObjectUid && cone.has(f.rel_type_uid),
      );
    });
  }

  classified(uid: number): Promise<Fact[]> {
    return this.count('classified', () => {
      const cone = new Set([RelationType.CLASSIFICATION, ...this.descendants(RelationType.CLASSIFICATION)]);
      return (this.byUid.get(uid) ?? []).filter((f) => f.rh_object_uid === uid && cone.has(f.rel_type_uid));
    });
  }

  fact(factUid: number): Promise<Fact | null> {
    return this.count('fact', () => this.byFact.get(factUid) ?? null);
  }
}
