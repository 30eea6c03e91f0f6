import { OPTIONAL_FACT_TEXT_FIELDS, type CategoryName, type EntityNature, type Fact } from '../gellish/fact.js';

/**
 * Validation of what the Archivist sends: JSON shapes of spec §6 into typed
 * values with integer uids. Numeric strings ("1146") are coerced; anything else
 * where a uid belongs is refused with a WireError naming the field, which the
 * client turns into ARCHIVIST_ERROR.
 */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

const NATURES: readonly EntityNature[] = ['kind', 'individual', 'qualification', 'anything'];
const CATEGORIES: readonly CategoryName[] = ['physical object', 'aspect', 'role', 'relation', 'occurrence', 'anything'];

const INTEGER_TEXT = /^\s*-?\d+\s*$/;

/** An integer uid from a number or a numeric string; throws WireError otherwise. */
export function toUid(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new WireError(`${field} is not an integer uid (${describe(value)})`);
}

function optionalUid(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return toUid(value, field);
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new WireError(`${field} is not a string (${describe(value)})`);
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return text(value, field);
}

/** One fact; unknown extra fields are dropped. */
export function parseFact(value: unknown, where = 'fact'): Fact {
  if (!isRecord(value)) throw new WireError(`${where} is not an object (${describe(value)})`);
  const fact: Fact = {
    fact_uid: toUid(value.fact_uid, `${where}.fact_uid`),
    lh_object_uid: toUid(value.lh_object_uid, `${where}.lh_object_uid`),
    lh_object_name: text(value.lh_object_name, `${where}.lh_object_name`),
    rel_type_uid: toUid(value.rel_type_uid, `${where}.rel_type_uid`),
    rel_type_name: text(value.rel_type_name, `${where}.rel_type_name`),
    rh_object_uid: toUid(value.rh_object_uid, `${where}.rh_object_uid`),
    rh_object_name: text(value.rh_object_name, `${where}.rh_object_name`),
  };
  const uomUid = optionalUid(value.uom_uid, `${where}.uom_uid`);
  if (uomUid !== undefined) fact.uom_uid = uomUid;
  const collectionUid = optionalUid(value.collection_uid, `${where}.collection_uid`);
  if (collectionUid !== undefined) fact.collection_uid = collectionUid;
  for (const field of OPTIONAL_FACT_TEXT_FIELDS) {
    const v = optionalText(value[field], `${where}.${field}`);
    if (v !== undefined) fact[field] = v;
  }
  return fact;
}

/**
 * A list of facts: a JSON array, or an object wrapping one under `facts`
 * (as some Archivist versions answer). null → empty list.
 */
export function parseFactList(body: unknown): Fact[] {
  if (body === null || body === undefined) return [];
  const list = isRecord(body) && Array.isArray(body.facts) ? body.facts : body;
  if (!Array.isArray(list)) throw new WireError(`expected a list of facts, got ${describe(body)}`);
  return list.map((item, i) => parseFact(item, `fact[${i}]`));
}

/** One fact, or null; a one-element list is accepted too. */
export function parseOptionalFact(body: unknown): Fact | null {
  if (body === null || body === undefined) return null;
  if (Array.isArray(body)) {
    if (body.length === 0) return null;
    if (body.length > 1) throw new WireError(`expected one fact, got a list of ${body.length}`);
    return parseFact(body[0]);
  }
  if (isRecord(body) && isRecord(body.fact)) return parseFact(body.fact);
  if (isRecord(body) && Object.keys(body).length === 0) return null;
  return parseFact(body);
}

/** `"kind"` or `{type: "kind"}`; empty → null. */
export function parseNature(body: unknown): EntityNature | null {
  return parseNamed(body, 'type', NATURES, 'entity type');
}

/** `"physical object"` or `{category: "physical object"}`; empty → null. */
export function parseCategory(body: unknown): CategoryName | null {
  return parseNamed(body, 'category', CATEGORIES, 'category');
}

function parseNamed<T extends string>(body: unknown, key: string, allowed: readonly T[], what: string): T | null {
  let value = isRecord(body) ? body[key] : body;
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new WireError(`${what} is not a string (${describe(value)})`);
  value = value.trim().toLowerCase();
  if (!allowed.includes(value as T)) {
    throw new WireError(`unknown ${what} ${JSON.stringify(body)}`);
  }
  return value as T;
}

/** JSON text to a value; '' and whitespace → undefined (an empty answer). */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new WireError(`malformed JSON (${raw.length} bytes starting ${JSON.stringify(raw.slice(0, 20))})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

// ---- fact submission (POST /fact/facts, POST /validate/binaryFacts) ----------

/** Uids 1..TEMPORARY_UID_MAX in a submission stand for new entities (spec §6). */
export const TEMPORARY_UID_MAX = 100;

/** A fact to submit: no fact uid (the Archivist assigns it); objects may carry temporary uids. */
export type NewFact = Omit<Fact, 'fact_uid'>;

/** The accepted submission: the facts with permanent uids. */
export interface SubmittedFacts {
  facts: Fact[];
  /** Temporary uid → permanent uid, when the Archivist says (the embedded one does). */
  temporaryUids: Record<string, number>;
  /** True when the answer was lost and the facts were found by reading back. */
  reconciled?: boolean;
}

/** What /validate/binaryFacts says about one fact. */
export interface FactVerdict {
  isValid: boolean;
  message?: string;
}

/** A fact to submit, checked before it is sent (BAD_REQUEST-worthy mistakes are the caller's: plain Error). */
export function checkNewFact(fact: NewFact, index: number): NewFact {
  for (const field of ['lh_object_uid', 'rel_type_uid', 'rh_object_uid'] as const) {
    if (!Number.isSafeInteger(fact[field]) || fact[field] < 1) {
      throw new WireError(`fact ${index}: ${field} must be a positive integer`);
    }
  }
  const { fact_uid: _drop, ...rest } = fact as NewFact & { fact_uid?: number };
  void _drop;
  return rest;
}

/** `{success: true, facts}` with one fact per submitted fact. */
export function parseSubmittedFacts(body: unknown, expected: number): SubmittedFacts | null {
  if (body === undefined || body === null) return null;
  if (!isRecord(body) || body.success !== true || !Array.isArray(body.facts)) {
    throw new WireError(`expected {success: true, facts}, got ${describe(body)}`);
  }
  const facts = body.facts.map((item, i) => Object.freeze(parseFact(item, `facts[${i}]`)));
  if (facts.length !== expected) throw new WireError(`expected ${expected} facts back, got ${facts.length}`);
  for (const fact of facts) {
    for (const uid of [fact.fact_uid, fact.lh_object_uid, fact.rh_object_uid]) {
      if (uid >= 1 && uid <= TEMPORARY_UID_MAX) throw new WireError(`answer still holds temporary uid ${uid}`);
    }
  }
  const temporaryUids: Record<string, number> = {};
  if (isRecord(body.temporaryUids)) {
    for (const [temp, uid] of Object.entries(body.temporaryUids))
      temporaryUids[temp] = toUid(uid, `temporaryUids.${temp}`);
  }
  return { facts, temporaryUids };
}

/** One `{isValid, message?}` per submitted fact. */
export function parseVerdicts(body: unknown, expected: number): FactVerdict[] | null {
  if (body === undefined || body === null) return null;
  if (!Array.isArray(body)) throw new WireError(`expected a list of verdicts, got ${describe(body)}`);
  if (body.length !== expected) throw new WireError(`expected ${expected} verdicts, got ${body.length}`);
  return body.map((item, i) => {
    if (!isRecord(item) || typeof item.isValid !== 'boolean') throw new WireError(`verdict ${i} has no isValid`);
    return typeof item.message === 'string'
      ? { isValid: item.isValid, message: item.message }
      : { isValid: item.isValid };
  });
}

/**
 * The answer of /fact/allRelatedFacts with the paging extension: `{items, total}`
 * (`paged: true`; with `firstPageSize`, also `firstPage`: the first related facts of
 * every kind, when the structural items are not all of them), or a plain list of facts
 * from an Archivist that ignored the optional parameters (`paged: false`, total = its length).
 */
export function parseFactPage(body: unknown): {
  items: Fact[];
  total: number;
  paged: boolean;
  firstPage?: Fact[];
  ancestors?: number[];
} {
  if (isRecord(body) && Array.isArray(body.items)) {
    const total = body.total;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
      throw new WireError(`expected a non-negative integer total, got ${describe(total)}`);
    }
    const items = body.items.map((item, i) => parseFact(item, `items[${i}]`));
    const ancestors = body.ancestors === undefined ? undefined : parseUidList(body.ancestors, 'ancestors');
    if (body.firstPage === undefined) return { items, total, paged: true, ...(ancestors ? { ancestors } : {}) };
    if (!Array.isArray(body.firstPage))
      throw new WireError(`expected firstPage to be a list, got ${describe(body.firstPage)}`);
    const firstPage = body.firstPage.map((item, i) => parseFact(item, `firstPage[${i}]`));
    return { items, total, paged: true, firstPage, ...(ancestors ? { ancestors } : {}) };
  }
  const items = parseFactList(body);
  return { items, total: items.length, paged: false };
}

/** A list of positive integer uids. */
function parseUidList(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new WireError(`expected ${what} to be a list, got ${describe(value)}`);
  return value.map((uid, i) => {
    if (typeof uid !== 'number' || !Number.isSafeInteger(uid) || uid <= 0) {
      throw new WireError(`expected ${what}[${i}] to be a positive integer uid, got ${describe(uid)}`);
    }
    return uid;
  });
}
