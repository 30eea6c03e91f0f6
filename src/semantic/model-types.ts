/**
 * Semantic model types (spec §5).
 *
 * Details the spec leaves open, decided here:
 * - nature: "qualification" / "kind" / "individual" from the entity's own definitive
 *   facts (1726-cone, 1146-cone, 1225-cone with the entity on the left). 730000
 *   ("anything") is the root kind ("kind", category "anything", supertypes []); an
 *   entity without a definitive fact is a kind when it is the right object of such a
 *   fact (it has subtypes, qualifications or instances), else "anything" (unknown),
 *   modelled with the kind shape. Qualifications also get the
 *   kind shape (supertypes = the qualified concepts).
 * - name: left name of the first definitive fact; else the right name of a fact with the
 *   entity on the right (synonym/inverse facts repeat the preferred name there); else
 *   any left name.
 * - collection: that of the first definitive fact, null when it has none.
 * - definitions: every definitive or synonym fact with the entity on the left that carries
 *   a partial or a full definition (missing halves are "").
 * - synonyms: left names of 1981-cone facts about the entity, in fact order, without
 *   repeats and without the entity's own name. The legacy key `1981` keeps all of them.
 * - part entries are unique per related uid; the entity's own statement comes first,
 *   then its supertypes nearest first (breadth-first, several supertypes in fact order).
 *   Inherited (kinds only): aspects, roles, components, connections, involved;
 *   requiredRole1/2 and unitOfMeasure fall back to the nearest supertype stating them.
 *   Individuals take kind-level fields they do not state themselves (unitOfMeasure,
 *   isQuantitative, requiredRole1/2, requiredInRelations, possibleRolePlayers) from
 *   their classifiers, marked `inherited: true, from: <classifier>`.
 * - physical objects also list `partOf` (the wholes the entity is a part of), and, as
 *   kinds define them (spec §9's workflow facts), `intendedFunctions` (5536-cone facts:
 *   the activities it is by definition intended for) and `definingQualities` (5283-cone:
 *   the qualitative aspects it is by definition qualified by), inherited like aspects.
 * - unitOfMeasure of an aspect kind: right object of a 4757-cone fact ("can be quantified
 *   on scale"); of an individual aspect: the uom of its value fact, else its classifier's.
 *   isQuantitative: a unit of measure is known or the value is numeric.
 * - temporalAspects: beginTime from 5453/5087-cone facts, endTime from 5089-cone facts
 *   (right object names, e.g. ISO dates); duration is an ISO-8601 duration ("PT2H30M")
 *   computed when both times parse as dates, else null.
 * - possibleRolePlayers of a relation: the players (left objects of role-playing facts)
 *   of its required roles, each with role_uid and role_position.
 * - unclassifiedFacts: facts whose relation type is outside the relation hierarchy, with
 *   the part their phrase matched (or null).
 * - warnings (only present when non-empty): e.g. a specialization cycle that was cut.
 */
import type { CategoryName, EntityNature, Fact } from '../gellish/fact.js';

export type ModelNature = EntityNature;

export interface PartEntry {
  uid: number;
  name: string;
  relation_uid: number;
  fact_uid: number;
  inherited?: true;
  from?: number;
}

export interface RoleInRelation extends PartEntry {
  role_position: 1 | 2;
}

export interface RolePlayerEntry extends PartEntry {
  role_uid: number;
  role_position: 1 | 2;
}

export interface Definition {
  fact_uid: number;
  partial_definition: string;
  full_definition: string;
}

export interface UidName {
  uid: number;
  name: string;
}

export interface UnclassifiedFact {
  fact_uid: number;
  rel_type_uid: number;
  rel_type_name: string;
  /** The part the phrase matched, or null when it matched none. */
  matched_part: string | null;
}

export interface ModelBase {
  uid: number;
  name: string;
  nature: ModelNature;
  category: CategoryName;
  collection: UidName | null;
  definitions: Definition[];
  synonyms: string[];
  unclassifiedFacts: UnclassifiedFact[];
  /** The first `factsLimit` related facts, ordered by fact_uid (absent with includeFacts false). */
  facts?: Fact[];
  /** Number of all related facts. */
  factsTotal?: number;
  /** Cursor of clarity.facts/get-by-entity for the facts after `facts`; null when `facts` holds all. */
  factsNextCursor?: string | null;
  warnings?: string[];
}

/** Legacy numeric keys of the platform's previous service (kinds only). */
export interface LegacyKindKeys {
  '1146': number[];
  '1225': number[];
  '4731': number[];
  '4733': number[];
  '4714': number[];
  '1981': string[];
  '1986': string[];
}

export interface KindFields extends LegacyKindKeys {
  supertypes: number[];
}

export interface IndividualFields {
  classifiers: number[];
}

export interface PhysicalObjectParts {
  category: 'physical object';
  aspects: PartEntry[];
  roles: PartEntry[];
  components: PartEntry[];
  connections: PartEntry[];
  partOf: PartEntry[];
  intendedFunctions: PartEntry[];
  definingQualities: PartEntry[];
}

export interface AspectValue {
  quant: number | string;
  uom: UidName | null;
}

export interface AspectParts {
  category: 'aspect';
  possessors: PartEntry[];
  isQuantitative: boolean;
  unitOfMeasure: (UidName & { inherited?: true; from?: number }) | null;
  /** Individuals only. */
  value?: AspectValue | null;
}

export interface RoleParts {
  category: 'role';
  rolePlayers: PartEntry[];
  requiredInRelations: RoleInRelation[];
}

export interface RelationParts {
  category: 'relation';
  requiredRole1: PartEntry | null;
  requiredRole2: PartEntry | null;
  inverseRelation: UidName | null;
  inverseNames: string[];
  possibleRolePlayers: RolePlayerEntry[];
}

export interface TemporalAspects {
  beginTime: string | null;
  endTime: string | null;
  duration: string | null;
}

export interface OccurrenceParts {
  category: 'occurrence';
  aspects: PartEntry[];
  involved: PartEntry[];
  temporalAspects: TemporalAspects;
}

export interface AnythingParts {
  category: 'anything';
}

export type CategoryParts =
  PhysicalObjectParts | AspectParts | RoleParts | RelationParts | OccurrenceParts | AnythingParts;

export type KindModel = Omit<ModelBase, 'category'> & KindFields & CategoryParts;
export type IndividualModel = Omit<ModelBase, 'category'> & IndividualFields & CategoryParts;
export type SemanticModel = KindModel | IndividualModel;

export interface ModelOptions {
  /** Include `facts` (the first factsLimit related facts); default true. */
  includeFacts?: boolean;
  /** Most facts in `facts`: 1..1000, default 200. */
  factsLimit?: number;
}

export interface EngineLogger {
  warn(msg: string, meta?: Record<string, unknown>): void;
}

export interface EngineOptions {
  logger?: EngineLogger;
  /** Maximum number of entities whose facts are memoised (LRU); default 10,000. */
  cacheSize?: number;
  /** Byte bounds of the memos (default: the shares of CACHE_MAX_MB's default, src/config/cache-budget.ts). */
  cacheBytes?: { facts: number; views: number; models: number };
  /**
   * Bytes a memoised model holds, with its serialized text (default 2 × its JSON length).
   * The service passes the gateway's cached serialization, so it is computed once.
   */
  modelSize?: (model: SemanticModel) => number;
  /** Relation roots whose subtypes cone forms the relation hierarchy; default [2850]. */
  relationRoots?: number[];
}
