import { OPTIONAL_FACT_TEXT_FIELDS, type Fact } from '../gellish/fact.js';
import type { FactStore } from './fact-store.js';

/**
 * POST /fact/facts and POST /validate/binaryFacts (spec §6): new facts, with
 * temporary uids 1..100 standing for new entities, checked against the graph and
 * applied all or nothing with permanent uids.
 */

/** Uids 1..TEMPORARY_UID_MAX in a submission stand for new entities (the platform's Archivist convention). */
export const TEMPORARY_UID_MAX = 100;

/** Most facts one submission may carry. */
export const MAX_FACTS_PER_SUBMISSION = 1000;

/** Longest name or definition accepted. */
const MAX_TEXT_CHARS = 10_000;

/** A fact as submitted: no permanent fact uid yet; objects may carry temporary uids. */
export type NewFact = Omit<Fact, 'fact_uid'> & { fact_uid?: number };

/** What /validate/binaryFacts answers per fact. */
export interface FactVerdict {
  isValid: boolean;
  message?: string;
}

/** The journal record of one accepted submission: the facts as applied, with permanent uids. */
export interface FactsSubmission {
  kind: 'facts';
  facts: Fact[];
}

export type FactsParse = { ok: true; facts: NewFact[] } | { ok: false; error: string };

export function isTemporaryUid(uid: number): boolean {
  return uid >= 1 && uid <= TEMPORARY_UID_MAX;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/** Checks one submitted fact's shape; the error names the fact (by position) and the field. */
function parseNewFact(value: unknown, index: number): NewFact | string {
  const at = `fact ${index}`;
  if (!isRecord(value)) return `${at}: must be a JSON object`;
  if (
    value.fact_uid !== undefined &&
    value.fact_uid !== null &&
    !(isUid(value.fact_uid) && isTemporaryUid(value.fact_uid))
  ) {
    return `${at}: fact_uid must be absent or a temporary uid (1..${TEMPORARY_UID_MAX}): the Archivist assigns fact uids`;
  }
  for (const field of ['lh_object_uid', 'rel_type_uid', 'rh_object_uid'] as const) {
    if (!isUid(value[field])) return `${at}: ${field} must be a positive integer`;
  }
  for (const field of ['lh_object_name', 'rh_object_name'] as const) {
    const name = value[field];
    if (typeof name !== 'string' || name.trim() === '') return `${at}: ${field} must be a non-empty string`;
    if (name.length > MAX_TEXT_CHARS) return `${at}: ${field} is longer than ${MAX_TEXT_CHARS} characters`;
  }
  if (value.rel_type_name !== undefined && typeof value.rel_type_name !== 'string') {
    return `${at}: rel_type_name must be a string`;
  }
  for (const field of ['uom_uid', 'collection_uid'] as const) {
    if (value[field] !== undefined && value[field] !== null && !isUid(value[field])) {
      return `${at}: ${field} must be a positive integer`;
    }
  }
  const fact: NewFact = {
    lh_object_uid: value.lh_object_uid as number,
    lh_object_name: (value.lh_object_name as string).trim(),
    rel_type_uid: value.rel_type_uid as number,
    rel_type_name: typeof value.rel_type_name === 'string' ? value.rel_type_name.trim() : '',
    rh_object_uid: value.rh_object_uid as number,
    rh_object_name: (value.rh_object_name as string).trim(),
  };
  if (isUid(value.uom_uid)) fact.uom_uid = value.uom_uid;
  if (isUid(value.collection_uid)) fact.collection_uid = value.collection_uid;
  for (const field of OPTIONAL_FACT_TEXT_FIELDS) {
    const text = value[field];
    if (text === undefined || text === null) continue;
    if (typeof text !== 'string') return `${at}: ${field} must be a string`;
    if (text.length > MAX_TEXT_CHARS) return `${at}: ${field} is longer than ${MAX_TEXT_CHARS} characters`;
    if (text !== '') fact[field] = text;
  }
  return fact;
}

/** Checks the body of POST /fact/facts or /validate/binaryFacts: a non-empty array of facts. */
export function parseNewFacts(body: unknown): FactsParse {
  const list = isRecord(body) && Array.isArray(body.facts) ? body.facts : body;
  if (!Array.isArray(list)) return { ok: false, error: 'body must be a JSON array of facts' };
  if (list.length === 0) return { ok: false, error: 'body must hold at least one fact' };
  if (list.length > MAX_FACTS_PER_SUBMISSION) {
    return { ok: false, error: `at most ${MAX_FACTS_PER_SUBMISSION} facts per submission, got ${list.length}` };
  }
  const facts: NewFact[] = [];
  for (let i = 0; i < list.length; i++) {
    const parsed = parseNewFact(list[i], i);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    facts.push(parsed);
  }
  return { ok: true, facts };
}

/** Is the uid a relation type the graph knows (used as one, or an entity below "relation")? */
function isKnownRelationType(store: FactStore, uid: number): boolean {
  return store.rowsOfRelationType(uid).length > 0 || store.isKnownEntity(uid);
}

function tripleKey(fact: Pick<Fact, 'lh_object_uid' | 'rel_type_uid' | 'rh_object_uid'>): string {
  return `${fact.lh_object_uid}|${fact.rel_type_uid}|${fact.rh_object_uid}`;
}

/** The uid of a stored fact with the same left object, relation type and right object. */
function existingFactUid(
  store: FactStore,
  fact: Pick<Fact, 'lh_object_uid' | 'rel_type_uid' | 'rh_object_uid'>,
): number | undefined {
  const rows = store.rowsWithLeft(fact.lh_object_uid);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (store.relationTypeAt(row) === fact.rel_type_uid && store.rightUidAt(row) === fact.rh_object_uid) {
      return store.factUidAt(row);
    }
  }
  return undefined;
}

/**
 * One verdict per fact, in order: the relation type is known, each object exists
 * or is temporary, and the fact repeats neither an existing fact (same left
 * object, relation type and right object) nor an earlier fact of the submission.
 */
export function validateNewFacts(store: FactStore, facts: readonly NewFact[]): FactVerdict[] {
  const seen = new Set<string>();
  return facts.map((fact) => {
    const problems: string[] = [];
    if (isTemporaryUid(fact.rel_type_uid)) {
      problems.push(`relation type ${fact.rel_type_uid} is a temporary uid: a relation type must exist`);
    } else if (!isKnownRelationType(store, fact.rel_type_uid)) {
      problems.push(`relation type ${fact.rel_type_uid} is not known`);
    }
    for (const side of ['lh_object_uid', 'rh_object_uid'] as const) {
      const uid = fact[side];
      if (!isTemporaryUid(uid) && !store.isKnownEntity(uid)) {
        problems.push(`${side} ${uid} is neither a known entity nor a temporary uid (1..${TEMPORARY_UID_MAX})`);
      }
    }
    const key = tripleKey(fact);
    if (!isTemporaryUid(fact.lh_object_uid) && !isTemporaryUid(fact.rh_object_uid)) {
      const existing = existingFactUid(store, fact);
      if (existing !== undefined) problems.push(`duplicate of existing fact ${existing}`);
    }
    if (seen.has(key)) problems.push('duplicate of an earlier fact in this submission');
    seen.add(key);
    return problems.length === 0 ? { isValid: true } : { isValid: false, message: problems.join('; ') };
  });
}

/** Hands out new uids above everything loaded, journaled or handed out before. */
export class UidReserver {
  private next: number;

  constructor(highestUsed: number) {
    this.next = Math.max(highestUsed, TEMPORARY_UID_MAX) + 1;
  }

  reserve(): number {
    return this.next++;
  }

  /** Never hands out a uid at or below `uid` (after facts were added by other means). */
  observe(uid: number): void {
    if (uid >= this.next) this.next = uid + 1;
  }
}

/**
 * The submission with permanent uids: every fact gets a new fact uid, every
 * temporary object uid (the same number in several facts being one new entity)
 * a new entity uid. Missing relation-type names come from the graph.
 */
export function assignPermanentUids(
  store: FactStore,
  facts: readonly NewFact[],
  reserver: UidReserver,
): { facts: Fact[]; temporaryUids: Map<number, number> } {
  const temporaryUids = new Map<number, number>();
  const permanent = (uid: number): number => {
    if (!isTemporaryUid(uid)) return uid;
    let assigned = temporaryUids.get(uid);
    if (assigned === undefined) temporaryUids.set(uid, (assigned = reserver.reserve()));
    return assigned;
  };
  const result = facts.map((fact): Fact => {
    const { fact_uid: _temporary, ...rest } = fact;
    void _temporary;
    return {
      ...rest,
      fact_uid: reserver.reserve(),
      lh_object_uid: permanent(fact.lh_object_uid),
      rh_object_uid: permanent(fact.rh_object_uid),
      rel_type_name: fact.rel_type_name || relationTypeName(store, fact.rel_type_uid),
    };
  });
  return { facts: result, temporaryUids };
}

/** The name the graph uses for a relation type: a fact stated with it, else the type as an object. */
function relationTypeName(store: FactStore, relTypeUid: number): string {
  const used = store.rowsOfRelationType(relTypeUid);
  if (used.length > 0) return store.factAt(used[0]!).rel_type_name;
  const asLeft = store.rowsWithLeft(relTypeUid);
  if (asLeft.length > 0) return store.factAt(asLeft[0]!).lh_object_name;
  const asRight = store.rowsWithRight(relTypeUid);
  return asRight.length > 0 ? store.factAt(asRight[0]!).rh_object_name : '';
}

/** A journaled facts record, checked again when replayed; undefined when malformed. */
export function parseFactsRecord(value: unknown): FactsSubmission | undefined {
  if (!isRecord(value) || value.kind !== 'facts' || !Array.isArray(value.facts)) return undefined;
  const facts: Fact[] = [];
  for (let i = 0; i < value.facts.length; i++) {
    const item: unknown = value.facts[i];
    if (!isRecord(item) || !isUid(item.fact_uid)) return undefined;
    const parsed = parseNewFact({ ...item, fact_uid: undefined }, i);
    if (typeof parsed === 'string') return undefined;
    facts.push({
      ...parsed,
      rel_type_name: typeof item.rel_type_name === 'string' ? item.rel_type_name : '',
      fact_uid: item.fact_uid,
    });
  }
  return facts.length > 0 ? { kind: 'facts', facts } : undefined;
}

/**
 * Serialises submissions: the checks, uid reservation, journal append and store
 * update of one submission finish before the next submission is checked.
 */
export class SubmissionQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
