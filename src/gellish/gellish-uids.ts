/**
 * The Gellish uids Clarity relies on: relation-type roots used to classify facts
 * and the roots of the Quintessential categories (spec §5). Each uid is checked
 * against the Gellish upper ontology (TOPini); its Gellish name is in the comment.
 * No other module writes these numbers.
 */
import type { CategoryName } from './fact.js';

/** anything — the root of every kind (730000). */
export const ANYTHING = 730000;

export const RelationType = {
  /** specialization relation between kinds of things ("is a specialization of") */
  SPECIALIZATION: 1146,
  /** qualification of a concept ("is a qualification of") — inside the 1146 cone */
  QUALIFICATION: 1726,
  /** classification of an individual thing ("is classified as a") */
  CLASSIFICATION: 1225,
  /** synonym for a term for an object ("is a synonym of") */
  SYNONYM: 1981,
  /** abbreviation for a term for an object ("is an abbreviation of") */
  ABBREVIATION: 1982,
  /** code for a term for an object ("is a code for") */
  CODE: 1983,
  /** inverse for a term for an object ("is an inverse of") */
  INVERSE: 1986,
  /** possession of an aspect by an individual thing ("has as aspect") */
  ASPECT_POSSESSION: 1727,
  /** conceptual possession of an aspect by an individual thing ("can have as aspect a") */
  CONCEPTUAL_ASPECT_POSSESSION: 2069,
  /** conceptual requirement for possession of an aspect ("shall have as aspect a") */
  REQUIRED_ASPECT_POSSESSION: 4956,
  /** possession of a role ("has as role") */
  ROLE_POSSESSION: 4708,
  /** conceptual playing of a role by an individual thing ("can have a role as a") */
  CONCEPTUAL_ROLE_PLAYING: 4714,
  /** assembly relation of a part in a whole individual physical object ("is a part of") */
  ASSEMBLY: 1190,
  /** by definition being a qualification of an intrinsic aspect ("is by definition") */
  BY_DEFINITION_QUALIFICATION: 5283,
  /** by definition being an intended function for a physical object ("has by definition as intended function") */
  INTENDED_FUNCTION: 5536,
  /** composition relation of an individual thing ("is a part of") */
  COMPOSITION: 1260,
  /** conceptual assembly relation of a part in a whole individual physical object */
  CONCEPTUAL_ASSEMBLY: 1191,
  /** conceptual composition relation of an individual thing */
  CONCEPTUAL_COMPOSITION: 1261,
  /** connection relation ("is connected to") */
  CONNECTION: 1487,
  /** conceptual connection relation ("can be connected to a") */
  CONCEPTUAL_CONNECTION: 1407,
  /** conceptual first required role for members of a subtype of relation */
  FIRST_REQUIRED_ROLE: 4731,
  /** conceptual second required role for members of a subtype of relation */
  SECOND_REQUIRED_ROLE: 4733,
  /** involvement in an occurrence ("is involved in") */
  INVOLVEMENT: 4767,
  /** involvement as participant ("has as participant") — below 4767 */
  PARTICIPATION: 5644,
  /** conceptual involvement in an occurrence ("can be involved in a") */
  CONCEPTUAL_INVOLVEMENT: 4648,
  /** equality between magnitude of an aspect and number on scale ("has on scale a value equal to") */
  VALUE_ON_SCALE: 5025,
  /** begin of an occurrence ("begins at") */
  OCCURRENCE_BEGIN: 5453,
  /** location in time of begin ("is beginning at point in time") — below 1727 */
  BEGIN_TIME_LOCATION: 5087,
  /** location in time of end ("is ending at point in time") — below 1727 */
  END_TIME_LOCATION: 5089,
  /** conceptual quantification of a characteristic on a scale ("can be quantified on scale") */
  CONCEPTUAL_QUANTIFICATION_ON_SCALE: 4757,
} as const;

export const Category = {
  /** physical object */
  PHYSICAL_OBJECT: 730044,
  /** role */
  ROLE: 160170,
  /** aspect */
  ASPECT: 790229,
  /** occurrence */
  OCCURRENCE: 193671,
  /** relation */
  RELATION: 2850,
} as const;

/**
 * Category roots in the order an entity is tested against them (spec §5): a role is
 * also an aspect and some occurrences are also relations, so the order decides.
 */
export const CATEGORY_PRECEDENCE: ReadonlyArray<{ uid: number; name: CategoryName }> = [
  { uid: Category.PHYSICAL_OBJECT, name: 'physical object' },
  { uid: Category.ROLE, name: 'role' },
  { uid: Category.ASPECT, name: 'aspect' },
  { uid: Category.OCCURRENCE, name: 'occurrence' },
  { uid: Category.RELATION, name: 'relation' },
];
