import type { EntityNature, Fact } from '../gellish/fact.js';
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

type RelationOnly = Pick<Fact, 'rel_type_uid'>;

/**
 * Nature of an entity (spec §5): qualification if it is the left object of a
 * 1726-cone fact, else kind if of a 1146-cone fact, else individual if of a
 * 1225-cone fact. 730000 is "anything". An entity with none of those facts on
 * its left is a kind when it has subtypes or classifies something (it is the
 * right object of such a fact), otherwise its nature is unknown: "anything".
 */
export function natureOf(
  uid: number,
  leftFacts: readonly RelationOnly[],
  rightFacts: readonly RelationOnly[],
  cones: NatureCones,
): EntityNature {
  if (uid === ANYTHING) return 'anything';
  const leftIn = (cone: ReadonlySet<number>): boolean => leftFacts.some((fact) => cone.has(fact.rel_type_uid));
  if (leftIn(cones.qualification)) return 'qualification';
  if (leftIn(cones.specialization)) return 'kind';
  if (leftIn(cones.classification)) return 'individual';
  const isSupertypeOrClassifier = rightFacts.some(
    (fact) => cones.specialization.has(fact.rel_type_uid) || cones.classification.has(fact.rel_type_uid),
  );
  return isSupertypeOrClassifier ? 'kind' : 'anything';
}
