import type { Fact } from '../gellish/fact.js';
import { RelationType } from '../gellish/gellish-uids.js';

/**
 * The specialization hierarchy of one graph: every fact whose relation type lies
 * in the 1146 cone (1146 itself and its subtypes, qualification 1726 among them)
 * links a subtype (left) to a supertype (right). Walks visit only the part of the
 * hierarchy they answer about and tolerate cycles in bad data.
 */
export class SpecializationHierarchy {
  /** Facts by their right object (the supertype): the edges down to subtypes. */
  private readonly subtypeFacts = new Map<number, Fact[]>();
  /** Facts by their left object (the subtype): the edges up to supertypes. */
  private readonly supertypeFacts = new Map<number, Fact[]>();
  private readonly coneCache = new Map<number, ReadonlySet<number>>();
  /** Relation types that are 1146 or one of its subtypes. */
  readonly specializationTypes: ReadonlySet<number>;
  private readonly types: Set<number>;

  constructor(factsOfRelationType: (relTypeUid: number) => readonly Fact[]) {
    // The 1146 cone is defined by the facts of the cone itself: grow it to a fixed point.
    const types = new Set<number>();
    let frontier = [RelationType.SPECIALIZATION as number];
    while (frontier.length > 0) {
      for (const type of frontier) {
        types.add(type);
        for (const fact of factsOfRelationType(type)) this.addEdge(fact);
      }
      frontier = [...this.descendantUids(RelationType.SPECIALIZATION)].filter((uid) => !types.has(uid));
    }
    this.specializationTypes = this.types = types;
  }

  /**
   * Takes in a fact added after load. A specialization fact becomes an edge, and
   * every cached cone holding its supertype grows by the new subtype and its
   * descendants (in place: holders of a cone see it grow). A new subtype of a
   * specialization relation type brings its own facts into the hierarchy.
   */
  add(fact: Fact, factsOfRelationType: (relTypeUid: number) => readonly Fact[]): void {
    if (!this.types.has(fact.rel_type_uid)) return;
    this.addEdge(fact);
    const grown = [fact.lh_object_uid, ...this.descendantUids(fact.lh_object_uid)];
    for (const [root, cone] of this.coneCache) {
      if (root === fact.rh_object_uid || cone.has(fact.rh_object_uid)) {
        for (const uid of grown) (cone as Set<number>).add(uid);
      }
    }
    for (const uid of grown) {
      if (this.types.has(uid) || !this.cone(RelationType.SPECIALIZATION).has(uid)) continue;
      this.types.add(uid);
      for (const typed of factsOfRelationType(uid)) this.add(typed, factsOfRelationType);
    }
  }

  private addEdge(fact: Fact): void {
    push(this.subtypeFacts, fact.rh_object_uid, fact);
    push(this.supertypeFacts, fact.lh_object_uid, fact);
  }

  /** Specialization facts with uid as the subtype (left object). */
  supertypeFactsOf(uid: number): readonly Fact[] {
    return this.supertypeFacts.get(uid) ?? [];
  }

  /** Specialization facts with uid as the supertype (right object). */
  subtypeFactsOf(uid: number): readonly Fact[] {
    return this.subtypeFacts.get(uid) ?? [];
  }

  /** Direct supertype uids of uid. */
  supertypesOf(uid: number): number[] {
    return this.supertypeFactsOf(uid).map((fact) => fact.rh_object_uid);
  }

  /** Every descendant of uid (not uid itself unless a cycle leads back to it). */
  descendantUids(uid: number): Set<number> {
    const seen = new Set<number>();
    const queue = [uid];
    for (let i = 0; i < queue.length; i++) {
      for (const fact of this.subtypeFactsOf(queue[i]!)) {
        if (!seen.has(fact.lh_object_uid)) {
          seen.add(fact.lh_object_uid);
          queue.push(fact.lh_object_uid);
        }
      }
    }
    return seen;
  }

  /**
   * The specialization facts of every descendant of uid, breadth first from uid:
   * each fact once, cost proportional to the answer.
   */
  subtypesConeFacts(uid: number): Fact[] {
    const visited = new Set<number>([uid]);
    const queue = [uid];
    const facts: Fact[] = [];
    for (let i = 0; i < queue.length; i++) {
      for (const fact of this.subtypeFactsOf(queue[i]!)) {
        facts.push(fact);
        if (!visited.has(fact.lh_object_uid)) {
          visited.add(fact.lh_object_uid);
          queue.push(fact.lh_object_uid);
        }
      }
    }
    return facts;
  }

  /** uid and all its descendants: the cone of a relation type (cached; grown in place by add()). */
  cone(uid: number): ReadonlySet<number> {
    let cone = this.coneCache.get(uid);
    if (!cone) {
      const members = this.descendantUids(uid);
      members.add(uid);
      cone = members;
      this.coneCache.set(uid, cone);
    }
    return cone;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
