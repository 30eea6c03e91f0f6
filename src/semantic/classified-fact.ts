import type { Fact } from '../gellish/fact.js';
import type { UnclassifiedFact } from './model-types.js';
import type { RelationHierarchy } from './relation-hierarchy.js';
import type { RelationPhrases } from './relation-phrases.js';
import type { PartKey } from './relation-parts.js';

/**
 * A fact read in its forward direction: when it was stated with an inverse phrase,
 * left and right are swapped. `part` is the §5 part its relation type feeds.
 */
export interface ClassifiedFact {
  fact: Fact;
  lh: number;
  lhName: string;
  rh: number;
  rhName: string;
  relType: number;
  part: PartKey | null;
  swapped: boolean;
  /** False when the relation type is outside the hierarchy (phrase fallback). */
  known: boolean;
}

export interface Classification {
  facts: ClassifiedFact[];
  unclassified: UnclassifiedFact[];
}

/** Classifies facts by relation-type cone, swapping inversely stated facts first. */
export async function classifyFacts(
  facts: readonly Fact[],
  hierarchy: RelationHierarchy,
  phrases: RelationPhrases,
): Promise<Classification> {
  const relTypes = [...new Set(facts.map((f) => f.rel_type_uid))];
  await Promise.all(relTypes.map((r) => phrases.phrasesOf(r)));
  const unclassified: UnclassifiedFact[] = [];
  const out = await Promise.all(
    facts.map(async (fact): Promise<ClassifiedFact> => {
      const known = hierarchy.isKnown(fact.rel_type_uid);
      let part: PartKey | null;
      let swapped = await phrases.isInverselyStated(fact);
      if (known) {
        part = hierarchy.partOf(fact.rel_type_uid);
      } else {
        const match = await phrases.matchPhrase(fact.rel_type_name);
        part = match?.part ?? null;
        swapped = swapped || (match?.inverse ?? false);
        unclassified.push({
          fact_uid: fact.fact_uid,
          rel_type_uid: fact.rel_type_uid,
          rel_type_name: fact.rel_type_name,
          matched_part: part,
        });
      }
      return swapped
        ? {
            fact,
            lh: fact.rh_object_uid,
            lhName: fact.rh_object_name,
            rh: fact.lh_object_uid,
            rhName: fact.lh_object_name,
            relType: fact.rel_type_uid,
            part,
            swapped,
            known,
          }
        : {
            fact,
            lh: fact.lh_object_uid,
            lhName: fact.lh_object_name,
            rh: fact.rh_object_uid,
            rhName: fact.rh_object_name,
            relType: fact.rel_type_uid,
            part,
            swapped,
            known,
          };
    }),
  );
  unclassified.sort((a, b) => a.fact_uid - b.fact_uid);
  return { facts: out, unclassified };
}
