import type { ClassifiedFact } from './classified-fact.js';
import type { EntityView } from './entity-view.js';
import type { PartEntry } from './model-types.js';

export type Side = 'lh' | 'rh';

/** The part entry for the object on `side` of a classified fact. */
export function entryOf(c: ClassifiedFact, side: Side, from?: number): PartEntry {
  const entry: PartEntry = {
    uid: side === 'lh' ? c.lh : c.rh,
    name: side === 'lh' ? c.lhName : c.rhName,
    relation_uid: c.relType,
    fact_uid: c.fact.fact_uid,
  };
  if (from !== undefined) {
    entry.inherited = true;
    entry.from = from;
  }
  return entry;
}

/** How a part is read from one entity's facts: which facts, which side is the related object. */
export type PartReader = (view: EntityView) => Array<{ c: ClassifiedFact; side: Side }>;

/**
 * Entries of a list part, unique per related uid: the entity's own statements first,
 * then (when `inherit`) those of its ancestors, nearest first, marked inherited.
 */
export function collectEntries(
  self: EntityView,
  ancestors: readonly EntityView[],
  inherit: boolean,
  read: PartReader,
): PartEntry[] {
  const out: PartEntry[] = [];
  const seen = new Set<number>();
  const sources = inherit ? [self, ...ancestors] : [self];
  for (const view of sources) {
    for (const { c, side } of read(view)) {
      const entry = entryOf(c, side, view === self ? undefined : view.uid);
      if (entry.uid === view.uid || seen.has(entry.uid)) continue;
      seen.add(entry.uid);
      out.push(entry);
    }
  }
  return out;
}

/** The first entry found on the entity itself, else on its nearest ancestor stating one. */
export function nearestEntry(self: EntityView, ancestors: readonly EntityView[], read: PartReader): PartEntry | null {
  for (const view of [self, ...ancestors]) {
    const first = read(view)[0];
    if (first) return entryOf(first.c, first.side, view === self ? undefined : view.uid);
  }
  return null;
}

export const leftObjects =
  (...parts: Parameters<EntityView['right']>): PartReader =>
  (v) =>
    v.right(...parts).map((c) => ({ c, side: 'lh' as const }));

export const rightObjects =
  (...parts: Parameters<EntityView['left']>): PartReader =>
  (v) =>
    v.left(...parts).map((c) => ({ c, side: 'rh' as const }));

export const otherSide =
  (...parts: Parameters<EntityView['left']>): PartReader =>
  (v) => [
    ...v.left(...parts).map((c) => ({ c, side: 'rh' as const })),
    ...v.right(...parts).map((c) => ({ c, side: 'lh' as const })),
  ];
