import type { EntityView } from './entity-view.js';
import type { RelationHierarchy } from './relation-hierarchy.js';
import type { Definition, LegacyKindKeys, UidName } from './model-types.js';
import { RelationType } from '../gellish/gellish-uids.js';

export function collectionOf(self: EntityView): UidName | null {
  const fact = self.definitiveFacts()[0]?.fact;
  if (!fact || fact.collection_uid === undefined) return null;
  return { uid: fact.collection_uid, name: fact.collection_name ?? '' };
}

export function definitionsOf(self: EntityView): Definition[] {
  const seen = new Set<number>();
  const out: Definition[] = [];
  for (const c of [...self.definitiveFacts(), ...self.left('synonym')]) {
    const f = c.fact;
    if (seen.has(f.fact_uid) || (!f.partial_definition && !f.full_definition)) continue;
    seen.add(f.fact_uid);
    out.push({
      fact_uid: f.fact_uid,
      partial_definition: f.partial_definition ?? '',
      full_definition: f.full_definition ?? '',
    });
  }
  return out;
}

export function synonymsOf(self: EntityView, name: string): string[] {
  return [...new Set(self.left('synonym').map((c) => c.lhName))].filter((n) => n !== name);
}

/** The previous service's numeric keys: cones of relation types with the entity on the left. */
export function legacyKeys(self: EntityView, h: RelationHierarchy): LegacyKindKeys {
  const onLeft = self.facts.filter((c) => c.lh === self.uid);
  const rightUids = (root: number): number[] => [
    ...new Set(onLeft.filter((c) => h.inCone(c.relType, root)).map((c) => c.rh)),
  ];
  const leftNames = (root: number): string[] => [
    ...new Set(onLeft.filter((c) => h.inCone(c.relType, root)).map((c) => c.lhName)),
  ];
  return {
    '1146': rightUids(RelationType.SPECIALIZATION),
    '1225': rightUids(RelationType.CLASSIFICATION),
    '4731': rightUids(RelationType.FIRST_REQUIRED_ROLE),
    '4733': rightUids(RelationType.SECOND_REQUIRED_ROLE),
    '4714': rightUids(RelationType.CONCEPTUAL_ROLE_PLAYING),
    '1981': leftNames(RelationType.SYNONYM),
    '1986': leftNames(RelationType.INVERSE),
  };
}
