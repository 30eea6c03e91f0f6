import type { Fact } from '../gellish/fact.js';
import type { FactSource } from './fact-source.js';
import { PART_ROOTS, type PartKey } from './relation-parts.js';

/**
 * The graph's own specialization hierarchy of relation types, loaded once from
 * `subtypesCone` of the relation root(s) (plus the cone of any §5 root the first load
 * did not reach). Answers which part a relation type feeds (most specific root wins)
 * and whether it lies in the cone of a given relation type.
 */
export class RelationHierarchy {
  private readonly parents = new Map<number, number[]>();
  private readonly known = new Set<number>();
  private readonly ancestorMemo = new Map<number, ReadonlySet<number>>();
  private readonly partMemo = new Map<number, PartKey | null>();

  private constructor() {}

  static async load(source: FactSource, roots: readonly number[]): Promise<RelationHierarchy> {
    const h = new RelationHierarchy();
    const cones = await Promise.all(roots.map((r) => source.subtypesCone(r)));
    roots.forEach((r) => h.known.add(r));
    cones.forEach((facts) => h.addFacts(facts));
    const missing = [...new Set(PART_ROOTS.map((p) => p.root))].filter((r) => !h.known.has(r));
    const extra = await Promise.all(missing.map((r) => source.subtypesCone(r)));
    missing.forEach((r) => h.known.add(r));
    extra.forEach((facts) => h.addFacts(facts));
    return h;
  }

  private addFacts(facts: readonly Fact[]): void {
    for (const f of facts) {
      this.known.add(f.lh_object_uid);
      const list = this.parents.get(f.lh_object_uid) ?? [];
      if (!list.includes(f.rh_object_uid)) list.push(f.rh_object_uid);
      this.parents.set(f.lh_object_uid, list);
    }
  }

  isKnown(relTypeUid: number): boolean {
    return this.known.has(relTypeUid);
  }

  /** The relation type itself and all its supertypes (cycle-safe). */
  ancestorsOf(relTypeUid: number): ReadonlySet<number> {
    const memo = this.ancestorMemo.get(relTypeUid);
    if (memo) return memo;
    const seen = new Set<number>([relTypeUid]);
    const stack = [relTypeUid];
    while (stack.length > 0) {
      const uid = stack.pop() as number;
      for (const p of this.parents.get(uid) ?? []) {
        if (!seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    }
    this.ancestorMemo.set(relTypeUid, seen);
    return seen;
  }

  /** True when relTypeUid is root or a subtype of it. */
  inCone(relTypeUid: number, root: number): boolean {
    return this.ancestorsOf(relTypeUid).has(root);
  }

  /** The part fed by the most specific §5 root in whose cone the relation type lies. */
  partOf(relTypeUid: number): PartKey | null {
    if (this.partMemo.has(relTypeUid)) return this.partMemo.get(relTypeUid) ?? null;
    const ancestors = this.ancestorsOf(relTypeUid);
    const matched = PART_ROOTS.filter((p) => ancestors.has(p.root));
    const specific = matched.filter(
      (p) => !matched.some((q) => q.root !== p.root && this.ancestorsOf(q.root).has(p.root)),
    );
    const part = specific[0]?.part ?? matched[0]?.part ?? null;
    this.partMemo.set(relTypeUid, part);
    return part;
  }
}
