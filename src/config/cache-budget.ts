/**
 * How CACHE_MAX_MB (spec §2: the in-process caches together, in bytes) is shared.
 * Each cache is an lru-cache bounded by its share (maxSize) besides its entry count:
 *
 * - archivist (40%): the Archivist response cache; an entry weighs the length of the
 *   JSON answer it was parsed from (a parsed fact takes about 0.9 × its JSON length of
 *   heap, measured on TOPini: 496 bytes per fact for 544 bytes of JSON);
 * - facts (15%) and views (10%): the engine's structural facts and classified views
 *   per entity, estimated per fact (FACT_BYTES, CLASSIFIED_FACT_BYTES);
 * - models (35%): memoised models together with their serialized JSON text (the
 *   gateway's serialization cache is a WeakMap keyed by the model, so its texts die
 *   with the memo's entries): 2 × the text's length.
 *
 * The estimates are conservative (facts shared between the caches are counted in each).
 */
export interface CacheBudget {
  archivistBytes: number;
  factsBytes: number;
  viewsBytes: number;
  modelsBytes: number;
}

export const DEFAULT_CACHE_MAX_MB = 256;

export function cacheBudget(maxMb: number = DEFAULT_CACHE_MAX_MB): CacheBudget {
  const total = Math.max(1, maxMb) * 1024 * 1024;
  return {
    archivistBytes: Math.floor(total * 0.4),
    factsBytes: Math.floor(total * 0.15),
    viewsBytes: Math.floor(total * 0.1),
    modelsBytes: Math.floor(total * 0.35),
  };
}

/**
 * The V8 old-space limit (`node --max-old-space-size`, MB) that keeps Clarity's resident
 * memory near its cache budget: 2.5 × CACHE_MAX_MB. The caches churn (every evicted entry
 * becomes garbage in the old generation), and without a limit V8 lets that garbage grow to
 * several times the live heap before collecting it (README, Performance: 20,000 models at
 * CACHE_MAX_MB=64 grew RSS by 300 MB uncapped, with about 50 MB of it live). The
 * deployment files set it through NODE_OPTIONS for the default budget.
 */
export function recommendedOldSpaceMb(cacheMaxMb: number = DEFAULT_CACHE_MAX_MB): number {
  return Math.ceil(2.5 * Math.max(1, cacheMaxMb));
}
