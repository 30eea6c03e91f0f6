/**
 * The parts of spec §5's table and the relation-type roots whose cones feed them.
 * A fact belongs to a part when its relation type is one of the part's roots or any
 * subtype of one; when several roots match, the most specific one wins.
 */
import { Category, RelationType } from '../gellish/gellish-uids.js';

export type PartKey =
  | 'specialization'
  | 'qualification'
  | 'classification'
  | 'synonym'
  | 'inverse'
  | 'aspect'
  | 'role'
  | 'partWhole'
  | 'connection'
  | 'requiredRole1'
  | 'requiredRole2'
  | 'involvement'
  | 'value'
  | 'beginTime'
  | 'endTime'
  | 'quantificationScale'
  | 'intendedFunction'
  | 'definingQualification';

/** Root relation types in table order (the order breaks ties between unrelated roots). */
export const PART_ROOTS: ReadonlyArray<{ root: number; part: PartKey }> = [
  { root: RelationType.QUALIFICATION, part: 'qualification' },
  { root: RelationType.SPECIALIZATION, part: 'specialization' },
  { root: RelationType.CLASSIFICATION, part: 'classification' },
  { root: RelationType.SYNONYM, part: 'synonym' },
  { root: RelationType.INVERSE, part: 'inverse' },
  { root: RelationType.ROLE_POSSESSION, part: 'role' },
  { root: RelationType.CONCEPTUAL_ROLE_PLAYING, part: 'role' },
  { root: RelationType.ASPECT_POSSESSION, part: 'aspect' },
  { root: RelationType.CONCEPTUAL_ASPECT_POSSESSION, part: 'aspect' },
  { root: RelationType.REQUIRED_ASPECT_POSSESSION, part: 'aspect' },
  { root: RelationType.ASSEMBLY, part: 'partWhole' },
  { root: RelationType.COMPOSITION, part: 'partWhole' },
  { root: RelationType.CONCEPTUAL_ASSEMBLY, part: 'partWhole' },
  { root: RelationType.CONCEPTUAL_COMPOSITION, part: 'partWhole' },
  { root: RelationType.CONNECTION, part: 'connection' },
  { root: RelationType.CONCEPTUAL_CONNECTION, part: 'connection' },
  { root: RelationType.FIRST_REQUIRED_ROLE, part: 'requiredRole1' },
  { root: RelationType.SECOND_REQUIRED_ROLE, part: 'requiredRole2' },
  { root: RelationType.INVOLVEMENT, part: 'involvement' },
  { root: RelationType.CONCEPTUAL_INVOLVEMENT, part: 'involvement' },
  { root: RelationType.VALUE_ON_SCALE, part: 'value' },
  { root: RelationType.OCCURRENCE_BEGIN, part: 'beginTime' },
  { root: RelationType.BEGIN_TIME_LOCATION, part: 'beginTime' },
  { root: RelationType.END_TIME_LOCATION, part: 'endTime' },
  { root: RelationType.CONCEPTUAL_QUANTIFICATION_ON_SCALE, part: 'quantificationScale' },
  { root: RelationType.INTENDED_FUNCTION, part: 'intendedFunction' },
  { root: RelationType.BY_DEFINITION_QUALIFICATION, part: 'definingQualification' },
];

/** Default root(s) of the relation hierarchy: 2850 "relation". */
export const DEFAULT_RELATION_ROOTS: readonly number[] = [Category.RELATION];
