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
