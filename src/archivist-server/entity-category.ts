import type { CategoryName } from '../gellish/fact.js';
import { CATEGORY_PRECEDENCE } from '../gellish/gellish-uids.js';

/** Every uid of start and all their ancestors, following supertypesOf; cycles are harmless. */
export function ancestorsAndSelf(
  start: Iterable<number>,
  supertypesOf: (uid: number) => Iterable<number>,
): Set<number> {
  const seen = new Set<number>(start);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    for (const parent of supertypesOf(queue[i]!)) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return seen;
}

/**
 * Category (spec §5): the start uids (the entity, or an individual's classifiers)
 * take the first root of the precedence list that one of them is or descends from
 * via specialization (any depth, several supertypes); else "anything".
 */
export function categoryOf(
  start: Iterable<number>,
  supertypesOf: (uid: number) => Iterable<number>,
  precedence: ReadonlyArray<{ uid: number; name: CategoryName }> = CATEGORY_PRECEDENCE,
): CategoryName {
  const lineage = ancestorsAndSelf(start, supertypesOf);
  return precedence.find((root) => lineage.has(root.uid))?.name ?? 'anything';
}
