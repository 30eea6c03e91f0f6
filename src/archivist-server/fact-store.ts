import type { CategoryName, EntityNature, Fact } from '../gellish/fact.js';
import { RelationType } from '../gellish/gellish-uids.js';
import { categoryOf } from './entity-category.js';
import { natureOf, type NatureCones } from './entity-nature.js';
import type { LoadedFact } from './gellish-table-loader.js';
import { SpecializationHierarchy } from './specialization-hierarchy.js';

/** Options of FactStore.relatedFactsPage. */
export interface RelatedPageOptions {
  after?: number;
  limit?: number;
  structural?: boolean;
}

/** Deepest allRelatedFacts walk the store answers. */
export const MAX_RELATED_DEPTH = 3;

const NO_FACTS: readonly Fact[] = [];

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Sorts every list of the index by fact uid (once, after loading; most tables are already in order). */
function sortLists(map: Map<number, Fact[]>): void {
  for (const list of map.values()) {
    for (let i = 1; i < list.length; i++) {
      if (list[i - 1].fact_uid > list[i].fact_uid) {
        list.sort(byFactUid);
        break;
      }
    }
  }
}

/** Index of the first fact with fact_uid > after in a list sorted by fact uid. */
function firstAfter(list: readonly Fact[], after: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].fact_uid <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function byFactUid(a: Fact, b: Fact): number {
  return a.fact_uid - b.fact_uid;
}

/**
 * The in-memory graph the embedded Archivist serves: facts indexed by fact uid,
 * left object, right object, relation type and name, plus the specialization
 * hierarchy. Uids never change after load; submissions change names, definitions
 * and collections of the indexed Fact objects in place.
 */
export class FactStore {
  private readonly byUid = new Map<number, Fact>();
  private readonly byLeft = new Map<number, Fact[]>();
  private readonly byRight = new Map<number, Fact[]>();
  private readonly byRelationType = new Map<number, Fact[]>();
  /** Facts by lower-cased left or right name (arrays: a Set per name costs more than the facts). */
  private readonly byName = new Map<string, Fact[]>();
  private readonly extras = new Map<number, Record<string, string>>();
  readonly hierarchy: SpecializationHierarchy;
  private readonly natureCones: NatureCones;
  private maxUid = 0;

  constructor(loaded: readonly LoadedFact[]) {
    for (const { fact, extraColumns } of loaded) {
      if (this.byUid.has(fact.fact_uid)) throw new Error(`duplicate fact uid ${fact.fact_uid}`);
      this.index(fact);
      if (Object.keys(extraColumns).length > 0) this.extras.set(fact.fact_uid, extraColumns);
    }
    // Left and right lists sorted by fact uid: a page of an entity's facts is a merge of two sorted lists.
    sortLists(this.byLeft);
    sortLists(this.byRight);
    this.hierarchy = new SpecializationHierarchy((type) => this.byRelationType.get(type) ?? NO_FACTS);
    this.natureCones = {
      qualification: this.hierarchy.cone(RelationType.QUALIFICATION),
      specialization: this.hierarchy.specializationTypes,
      classification: this.hierarchy.cone(RelationType.CLASSIFICATION),
    };
  }

  /** Builds a store from plain facts (tests, tools). */
  static fromFacts(facts: readonly Fact[]): FactStore {
    return new FactStore(facts.map((fact) => ({ fact, source: { file: '', line: 0 }, extraColumns: {} })));
  }

  get size(): number {
    return this.byUid.size;
  }

  /** The highest uid in the graph (fact, object, relation type, unit or collection): new uids go above it. */
  get highestUid(): number {
    return this.maxUid;
  }

  /**
   * Adds new facts (a POST /fact/facts submission, checked by the caller): all are
   * indexed, specialization facts join the hierarchy. Throws, adding nothing, when
   * a fact uid is already taken.
   */
  add(facts: readonly Fact[]): void {
    for (const fact of facts) {
      if (this.byUid.has(fact.fact_uid)) throw new Error(`duplicate fact uid ${fact.fact_uid}`);
    }
    for (const fact of facts) {
      this.index(fact);
      this.hierarchy.add(fact, (type) => this.byRelationType.get(type) ?? NO_FACTS);
    }
  }

  private index(fact: Fact): void {
    this.byUid.set(fact.fact_uid, fact);
    push(this.byLeft, fact.lh_object_uid, fact);
    push(this.byRight, fact.rh_object_uid, fact);
    push(this.byRelationType, fact.rel_type_uid, fact);
    this.indexName(fact.lh_object_name, fact);
    this.indexName(fact.rh_object_name, fact);
    this.maxUid = Math.max(
      this.maxUid,
      fact.fact_uid,
      fact.lh_object_uid,
      fact.rh_object_uid,
      fact.rel_type_uid,
      fact.uom_uid ?? 0,
      fact.collection_uid ?? 0,
    );
  }

  fact(factUid: number): Fact | undefined {
    return this.byUid.get(factUid);
  }

  /** Table columns the Fact does not map, kept as-is, for one fact. */
  extraColumns(factUid: number): Readonly<Record<string, string>> {
    return this.extras.get(factUid) ?? {};
  }

  factsWithLeft(uid: number): readonly Fact[] {
    return this.byLeft.get(uid) ?? NO_FACTS;
  }

  factsWithRight(uid: number): readonly Fact[] {
    return this.byRight.get(uid) ?? NO_FACTS;
  }

  factsOfRelationType(relTypeUid: number): readonly Fact[] {
    return this.byRelationType.get(relTypeUid) ?? NO_FACTS;
  }

  /** An entity is known when some fact has it as left or right object. */
  isKnownEntity(uid: number): boolean {
    return this.byLeft.has(uid) || this.byRight.has(uid);
  }

  /** rel_type_uid and all its subtypes. */
  relationTypeCone(relTypeUid: number): ReadonlySet<number> {
    return this.hierarchy.cone(relTypeUid);
  }

  /** Nature of a known entity; undefined for an unknown uid. */
  nature(uid: number): EntityNature | undefined {
    if (!this.isKnownEntity(uid)) return undefined;
    return natureOf(uid, this.factsWithLeft(uid), this.factsWithRight(uid), this.natureCones);
  }

  /** Category of a known entity (an individual's through its classifiers); undefined for an unknown uid. */
  category(uid: number): CategoryName | undefined {
    const nature = this.nature(uid);
    if (nature === undefined) return undefined;
    const start =
      nature === 'individual'
        ? this.factsWithLeft(uid)
            .filter((fact) => this.natureCones.classification.has(fact.rel_type_uid))
            .map((fact) => fact.rh_object_uid)
        : [uid];
    return categoryOf(start, (entity) => this.hierarchy.supertypesOf(entity));
  }

  /** The entity's specialization, qualification and classification facts (entity on the left). */
  definitiveFacts(uid: number): Fact[] {
    const { specialization, classification } = this.natureCones;
    return this.factsWithLeft(uid).filter(
      (fact) => specialization.has(fact.rel_type_uid) || classification.has(fact.rel_type_uid),
    );
  }

  /**
   * Facts with uid as left or right object (depth 1); each further level adds the
   * facts of the objects reached. Sorted by fact uid, each fact once.
   */
  allRelatedFacts(uid: number, depth = 1): Fact[] {
    if (depth <= 1) return this.mergedRelated(uid, 0, Number.MAX_SAFE_INTEGER, () => true);
    const found = new Map<number, Fact>();
    const reached = new Set<number>([uid]);
    let frontier = [uid];
    for (let level = 0; level < Math.min(depth, MAX_RELATED_DEPTH) && frontier.length > 0; level++) {
      const next: number[] = [];
      for (const entity of frontier) {
        for (const fact of [...this.factsWithLeft(entity), ...this.factsWithRight(entity)]) {
          if (found.has(fact.fact_uid)) continue;
          found.set(fact.fact_uid, fact);
          for (const other of [fact.lh_object_uid, fact.rh_object_uid]) {
            if (!reached.has(other)) {
              reached.add(other);
              next.push(other);
            }
          }
        }
      }
      frontier = next;
    }
    return [...found.values()].sort(byFactUid);
  }

  /** Number of facts with uid as left or right object (each once). */
  relatedCount(uid: number): number {
    const left = this.factsWithLeft(uid);
    let both = 0;
    for (const fact of left) if (fact.rh_object_uid === uid) both++;
    return left.length + this.factsWithRight(uid).length - both;
  }

  /**
   * A page of allRelatedFacts (depth 1): the first `limit` facts with fact_uid > after,
   * ordered by fact uid; `total` counts all of them. With `structural`, the
   * specialization and classification facts of uid's subtypes and instances (uid on
   * the right) are left out of the items (not of the total).
   */
  relatedFactsPage(
    uid: number,
    { after = 0, limit = Number.MAX_SAFE_INTEGER, structural = false }: RelatedPageOptions = {},
  ): { items: Fact[]; total: number } {
    const keep = structural ? (fact: Fact) => !this.isSubtypeOrInstanceFact(uid, fact) : () => true;
    return { items: this.mergedRelated(uid, after, limit, keep), total: this.relatedCount(uid) };
  }

  /**
   * Up to `limit` facts with uid as left or right object and fact_uid > after that
   * `keep` accepts, in fact uid order, each once: a merge of the two sorted index lists
   * from a binary search, so a page costs its size (plus what `keep` skips).
   */
  private mergedRelated(uid: number, after: number, limit: number, keep: (fact: Fact) => boolean): Fact[] {
    const left = this.factsWithLeft(uid);
    const right = this.factsWithRight(uid);
    let i = firstAfter(left, after);
    let j = firstAfter(right, after);
    const out: Fact[] = [];
    while (out.length < limit && (i < left.length || j < right.length)) {
      let fact: Fact;
      if (j >= right.length || (i < left.length && left[i].fact_uid <= right[j].fact_uid)) {
        fact = left[i++];
        if (j < right.length && right[j] === fact) j++; // uid on both sides: once
      } else {
        fact = right[j++];
      }
      if (keep(fact)) out.push(fact);
    }
    return out;
  }

  private isSubtypeOrInstanceFact(uid: number, fact: Fact): boolean {
    if (fact.rh_object_uid !== uid || fact.lh_object_uid === uid) return false;
    const { specialization, classification } = this.natureCones;
    return specialization.has(fact.rel_type_uid) || classification.has(fact.rel_type_uid);
  }

  /** Facts with lhObjectUid on the left whose relation type is in the cone of relTypeUid. */
  relatedOnSubtypeCone(lhObjectUid: number, relTypeUid: number): Fact[] {
    const cone = this.relationTypeCone(relTypeUid);
    return this.factsWithLeft(lhObjectUid).filter((fact) => cone.has(fact.rel_type_uid));
  }

  /** Specialization facts of every descendant of uid, breadth first. */
  subtypesCone(uid: number): Fact[] {
    return this.hierarchy.subtypesConeFacts(uid);
  }

  /** Classification facts (1225 cone) whose right object is uid. */
  classified(uid: number): Fact[] {
    const { classification } = this.natureCones;
    return this.factsWithRight(uid).filter((fact) => classification.has(fact.rel_type_uid));
  }

  /**
   * Facts whose left or right object name matches the term, case-insensitively:
   * equal to it when exact, containing it otherwise. Sorted by fact uid.
   */
  search(term: string, exact: boolean): Fact[] {
    const needle = term.trim().toLowerCase();
    const found = new Set<Fact>();
    if (exact) {
      for (const fact of this.byName.get(needle) ?? NO_FACTS) found.add(fact);
    } else {
      for (const [name, facts] of this.byName) {
        if (name.includes(needle)) for (const fact of facts) found.add(fact);
      }
    }
    return [...found].sort(byFactUid);
  }

  /** Sets or (with "") removes the definitions of one fact. */
  setDefinition(factUid: number, partialDefinition: string, fullDefinition: string): Fact | undefined {
    const fact = this.byUid.get(factUid);
    if (!fact) return undefined;
    setOptional(fact, 'partial_definition', partialDefinition);
    setOptional(fact, 'full_definition', fullDefinition);
    return fact;
  }

  /** Puts one fact in a collection. */
  setCollection(factUid: number, collectionUid: number, collectionName: string): Fact | undefined {
    const fact = this.byUid.get(factUid);
    if (!fact) return undefined;
    fact.collection_uid = collectionUid;
    setOptional(fact, 'collection_name', collectionName);
    return fact;
  }

  /**
   * Renames the left object of a fact. The new name replaces the old one wherever
   * that uid appears (left or right) under the old name, so the graph stays
   * consistent while synonyms and inverse phrases (other names of the same uid)
   * are kept.
   */
  rename(factUid: number, name: string): Fact | undefined {
    const fact = this.byUid.get(factUid);
    if (!fact) return undefined;
    const uid = fact.lh_object_uid;
    const oldName = fact.lh_object_name;
    for (const other of this.factsWithLeft(uid)) {
      if (other.lh_object_name === oldName) this.renameSide(other, 'lh_object_name', name);
    }
    for (const other of this.factsWithRight(uid)) {
      if (other.rh_object_name === oldName) this.renameSide(other, 'rh_object_name', name);
    }
    return fact;
  }

  private renameSide(fact: Fact, side: 'lh_object_name' | 'rh_object_name', name: string): void {
    const otherSide = side === 'lh_object_name' ? fact.rh_object_name : fact.lh_object_name;
    if (fact[side].toLowerCase() !== otherSide.toLowerCase()) this.unindexName(fact[side], fact);
    fact[side] = name;
    this.indexName(name, fact, true);
  }

  /** Loading indexes each fact's two names in a row (a same-named pair once); a rename checks the list. */
  private indexName(name: string, fact: Fact, anywhere = false): void {
    if (name === '') return;
    const key = this.lowerCase(name);
    const facts = this.byName.get(key);
    if (!facts) this.byName.set(key, [fact]);
    else if (anywhere ? !facts.includes(fact) : facts[facts.length - 1] !== fact) facts.push(fact);
  }

  private unindexName(name: string, fact: Fact): void {
    const key = name.toLowerCase();
    const facts = this.byName.get(key);
    if (!facts) return;
    const at = facts.indexOf(fact);
    if (at >= 0) facts.splice(at, 1);
    if (facts.length === 0) this.byName.delete(key);
  }

  /** The lower-cased name, the name itself when it already is (no copy). */
  private lowerCase(name: string): string {
    const lower = name.toLowerCase();
    return lower === name ? name : lower;
  }
}

function setOptional(
  fact: Fact,
  field: 'partial_definition' | 'full_definition' | 'collection_name',
  value: string,
): void {
  if (value === '') delete fact[field];
  else fact[field] = value;
}
