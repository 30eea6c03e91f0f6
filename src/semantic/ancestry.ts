import type { EntityView } from './entity-view.js';

export interface Ancestry {
  /** Ancestors nearest first (breadth-first; several supertypes in fact order), without the entity. */
  order: number[];
  views: Map<number, EntityView>;
  warnings: string[];
}

/**
 * Walks the specialization graph upwards from `start` (the entity's supertypes, or an
 * individual's classifiers), one breadth-first level at a time with each level's facts
 * fetched in parallel. Every uid is visited once, so bad data with cycles terminates;
 * cycles are reported as warnings.
 */
export async function walkAncestors(
  self: number,
  start: readonly number[],
  load: (uid: number) => Promise<EntityView>,
  maxNodes = 100_000,
): Promise<Ancestry> {
  const views = new Map<number, EntityView>();
  const edges = new Map<number, number[]>([[self, [...start]]]);
  const order: number[] = [];
  const seen = new Set<number>([self]);
  let level = start.filter((u) => !seen.has(u));
  level.forEach((u) => seen.add(u));
  while (level.length > 0 && order.length < maxNodes) {
    const loaded = await Promise.all(level.map((u) => load(u)));
    const next: number[] = [];
    loaded.forEach((view) => {
      views.set(view.uid, view);
      order.push(view.uid);
      const supers = view.supertypes();
      edges.set(view.uid, supers);
      for (const s of supers) {
        if (!seen.has(s)) {
          seen.add(s);
          next.push(s);
        }
      }
    });
    level = next;
  }
  return { order, views, warnings: findCycles(self, edges) };
}

/** Depth-first search for back edges in the (walked) specialization graph. */
function findCycles(self: number, edges: Map<number, number[]>): string[] {
  const warnings: string[] = [];
  const state = new Map<number, 'open' | 'done'>();
  const stack: Array<{ uid: number; next: number }> = [{ uid: self, next: 0 }];
  state.set(self, 'open');
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const supers = edges.get(top.uid) ?? [];
    if (top.next >= supers.length) {
      state.set(top.uid, 'done');
      stack.pop();
      continue;
    }
    const s = supers[top.next++];
    const st = state.get(s);
    if (st === 'open') {
      warnings.push(`Specialization cycle: ${top.uid} is a subtype of its own subtype ${s}; cut`);
    } else if (st === undefined) {
      state.set(s, 'open');
      stack.push({ uid: s, next: 0 });
    }
  }
  return warnings;
}
