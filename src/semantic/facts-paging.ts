import { createHash } from 'node:crypto';
import { ClarityError } from '../common/clarity-error.js';
import type { Fact } from '../gellish/fact.js';
import { RelationType } from '../gellish/gellish-uids.js';
import type { FactPage, FactSource } from './fact-source.js';
import { isPagedFactSource } from './fact-source.js';
import type { RelationHierarchy } from './relation-hierarchy.js';

/** `facts` of a model: default and largest `factsLimit` (spec §5). */
export const DEFAULT_FACTS_LIMIT = 200;
export const MAX_FACTS_LIMIT = 1000;
/** `clarity.facts/get-by-entity`: default and largest `limit` (spec §3). */
export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 5000;

const CURSOR_VERSION = 'f1';
const BAD_CURSOR = "Parameter 'cursor' is not a valid cursor for this entity";

function check(uid: number, after: number): string {
  return createHash('sha256').update(`clarity.facts:${uid}:${after}`).digest('base64url').slice(0, 10);
}

/**
 * An opaque cursor: base64url of "f1.<uid>.<last fact_uid>.<check>". The check (a
 * hash prefix) catches edited or truncated cursors; the uid ties a cursor to its entity.
 */
export function encodeFactsCursor(uid: number, after: number): string {
  return Buffer.from(`${CURSOR_VERSION}.${uid}.${after}.${check(uid, after)}`, 'utf8').toString('base64url');
}

/** The last fact_uid a cursor of this entity stands for; BAD_REQUEST for anything else. */
export function decodeFactsCursor(uid: number, cursor: string): number {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw ClarityError.badRequest(BAD_CURSOR);
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (parts.length !== 4 || parts[0] !== CURSOR_VERSION) throw ClarityError.badRequest(BAD_CURSOR);
  const [, u, a, c] = parts;
  if (!/^\d{1,16}$/.test(u) || !/^\d{1,16}$/.test(a)) throw ClarityError.badRequest(BAD_CURSOR);
  const after = Number(a);
  if (Number(u) !== uid || !Number.isSafeInteger(after) || c !== check(uid, after)) {
    throw ClarityError.badRequest(BAD_CURSOR);
  }
  return after;
}

/** A page of clarity.facts/get-by-entity. */
export interface FactsPageAnswer {
  items: Fact[];
  total: number;
  nextCursor: string | null;
}

/** Whether the fact states a subtype or an instance of uid (the facts that make a hub). */
export function isSubtypeOrInstanceFact(uid: number, fact: Fact, h: RelationHierarchy): boolean {
  if (fact.rh_object_uid !== uid || fact.lh_object_uid === uid) return false;
  return (
    h.inCone(fact.rel_type_uid, RelationType.SPECIALIZATION) || h.inCone(fact.rel_type_uid, RelationType.CLASSIFICATION)
  );
}

function byFactUid(a: Fact, b: Fact): number {
  return a.fact_uid - b.fact_uid;
}

/** Facts sorted by fact_uid (the same array when it already is). */
export function sortedByFactUid(facts: readonly Fact[]): readonly Fact[] {
  for (let i = 1; i < facts.length; i++) {
    if (facts[i - 1].fact_uid > facts[i].fact_uid) return [...facts].sort(byFactUid);
  }
  return facts;
}

/** The page after `after` of already loaded facts (sorted by fact_uid). */
export function pageOf(sorted: readonly Fact[], after: number, limit: number): FactPage {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].fact_uid <= after) lo = mid + 1;
    else hi = mid;
  }
  return { items: sorted.slice(lo, lo + limit), total: sorted.length };
}

/** A page from the source: its paging extension when it has one, else read in full and sliced. */
export async function readFactsPage(source: FactSource, uid: number, after: number, limit: number): Promise<FactPage> {
  if (isPagedFactSource(source)) return source.relatedFactsPage(uid, after, limit);
  return pageOf(sortedByFactUid(await source.allRelatedFacts(uid)), after, limit);
}
