import type { EntityNature } from '../gellish/fact.js';
import { ANYTHING } from '../gellish/gellish-uids.js';

/** The relation-type cones that decide an entity's nature. */
export interface NatureCones {
  /** 1726 and its subtypes */
  qualification: ReadonlySet<number>;
  /** 1146 and its subtypes (includes the qualification cone) */
  specialization: ReadonlySet<number>;
  /** 1225 and its subtypes */
  classification: ReadonlySet<number>;
}

/**
 * Nature of an entity (spec §5): qualification if it is the left object of a
 * 1726-cone fact, else kind if of a 1146-cone fact, else individual if of a
 * 1225-cone fact. 730000 is "anything". An entity with none of those facts on
 * its left is a kind when it has subtypes or classifies something (it is the
 * right object of such a fact), otherwise its nature is unknown: "anything".
 * The relation types of the entity's facts are read lazily and may be iterated more
 * than once (a hub has tens of thousands of facts on its right; the first
 * specialization decides).
 */
export function natureOf(
  uid: number,
  leftRelationTypes: Iterable<number>,
  rightRelationTypes: Iterable<number>,
  cones: NatureCones,
): EntityNature {
  if (uid === ANYTHING) return 'anything';
  const leftIn = (cone: ReadonlySet<number>): boolean => some(leftRelationTypes, (type) => cone.has(type));
  if (leftIn(cones.qualification)) return 'qualification';
  if (leftIn(cones.specialization)) return 'kind';
  if (leftIn(cones.classification)) return 'individual';
  const isSupertypeOrClassifier = some(
    rightRelationTypes,
    (type) => cones.specialization.has(type) || cones.classification.has(type),
  );
  return isSupertypeOrClassifier ? 'kind' : 'anything';
}

function some(types: Iterable<number>, test: (type: number) => boolean): boolean {
  for (const type of types) if (test(type)) return true;
  return false;
}
