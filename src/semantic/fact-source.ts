import type { Fact } from '../gellish/fact.js';

/**
 * What the semantic model engine needs from the knowledge graph. The Archivist
 * HTTP client implements it in production (one method per Archivist endpoint of
 * spec §6); tests may implement it over facts in memory. Unknown uids give empty
 * arrays / null, never errors; failures of the source are thrown as ClarityError
 * (ARCHIVIST_UNAVAILABLE / ARCHIVIST_ERROR).
 */
export interface FactSource {
  /** GET /fact/allRelatedFacts — facts with uid as left or right object. */
  allRelatedFacts(uid: number): Promise<Fact[]>;
  /** GET /fact/definitiveFacts — the entity's specialization/qualification/classification facts. */
  definitiveFacts(uid: number): Promise<Fact[]>;
  /** GET /fact/subtypesCone — specialization facts of every descendant of uid. */
  subtypesCone(uid: number): Promise<Fact[]>;
  /** GET /fact/relatedOnUIDSubtypeCone — facts with that left object whose relation is in the cone of relTypeUid. */
  relatedOnSubtypeCone(lhObjectUid: number, relTypeUid: number): Promise<Fact[]>;
  /** GET /fact/classified — classification facts whose right object is uid. */
  classified(uid: number): Promise<Fact[]>;
  /** GET /fact/fact — one fact, or null. */
  fact(factUid: number): Promise<Fact | null>;
}

/** One page of an entity's related facts, ordered by fact_uid, and the number of all of them. */
export interface FactPage {
  items: Fact[];
  total: number;
}

/** The facts a model is built from (see PagedFactSource.structuralFacts). */
export interface StructuralFacts {
  facts: Fact[];
  /** Number of all related facts (allRelatedFacts' length). */
  total: number;
  /**
   * Whether the source left out the subtypes' and instances' facts itself; when false,
   * `facts` are all related facts and the engine filters them.
   */
  filtered: boolean;
  /**
   * The first related facts of every kind (subtypes' and instances' facts included),
   * ordered by fact_uid, at most the size asked for: given by a source that answers it
   * with the structural facts, so that a model's `facts` page costs no second read.
   * Absent when `facts` are all related facts (they are the page then) or the source
   * cannot give it.
   */
  firstPage?: readonly Fact[];
  /**
   * The uids a model of the entity is built from besides its own facts (its supertypes
   * at any depth, nearest first; an individual's classifiers and theirs), when the
   * source was asked for them and can tell: a hint to read them all at once. The
   * models are built from the facts alone, so a missing or stale hint changes no model.
   */
  ancestors?: readonly number[];
}

/**
 * Optional paging extension of a FactSource (the embedded Archivist's optional
 * parameters of /fact/allRelatedFacts; a source without them is read in full and
 * bounded by the engine).
 */
export interface PagedFactSource {
  /** Related facts with fact_uid > after, the first `limit` of them ordered by fact_uid. */
  relatedFactsPage(uid: number, after: number, limit: number): Promise<FactPage>;
  /**
   * Related facts except the specialization (1146 cone) and classification (1225 cone)
   * facts with uid as right object: what the entity is, not its subtypes and instances.
   * With `firstPageSize`, also the first page of all related facts (`firstPage`) when
   * the source can answer it in the same read; with `withAncestors`, the uids of its
   * ancestry (`ancestors`) when the source can tell them.
   */
  structuralFacts(uid: number, firstPageSize?: number, withAncestors?: boolean): Promise<StructuralFacts>;
}

export function isPagedFactSource(source: FactSource): source is FactSource & PagedFactSource {
  const s = source as Partial<PagedFactSource>;
  return typeof s.relatedFactsPage === 'function' && typeof s.structuralFacts === 'function';
}
