/**
 * A Gellish fact as the Archivist serves it (spec §6): a binary statement
 * "left object — relation type — right object" with optional definitions,
 * unit of measure, collection and provenance. All uids are integers.
 */
export interface Fact {
  fact_uid: number;
  lh_object_uid: number;
  lh_object_name: string;
  rel_type_uid: number;
  rel_type_name: string;
  rh_object_uid: number;
  rh_object_name: string;
  partial_definition?: string;
  full_definition?: string;
  uom_uid?: number;
  uom_name?: string;
  collection_uid?: number;
  collection_name?: string;
  approval_status?: string;
  effective_from?: string;
  latest_update?: string;
  author?: string;
}

/** The nature of an entity as the Archivist's /retrieveEntity/type answers it. */
export type EntityNature = 'kind' | 'individual' | 'qualification' | 'anything';

/** The Quintessential category names of spec §5. */
export type CategoryName = 'physical object' | 'aspect' | 'role' | 'relation' | 'occurrence' | 'anything';

/** A Fact's definition texts (long, mostly distinct). */
export const FACT_DEFINITION_FIELDS = ['partial_definition', 'full_definition'] as const;

/** A Fact's other optional texts: short, repeated across facts (units, collections, statuses, dates, authors). */
export const FACT_LABEL_FIELDS = [
  'uom_name',
  'collection_name',
  'approval_status',
  'effective_from',
  'latest_update',
  'author',
] as const;

/** The optional text fields of a Fact (§6), read the same way by the Archivist client and the embedded Archivist. */
export const OPTIONAL_FACT_TEXT_FIELDS = [...FACT_DEFINITION_FIELDS, ...FACT_LABEL_FIELDS] as const;
