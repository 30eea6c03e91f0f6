import type { Fact } from '../gellish/fact.js';
import type { FactStore } from './fact-store.js';

/** The three PUT /submission/* bodies of spec §6, validated. */
export type Submission =
  | { kind: 'definition'; fact_uid: number; partial_definition: string; full_definition: string }
  | { kind: 'name'; fact_uid: number; name: string }
  | { kind: 'collection'; fact_uid: number; collection_uid: number; collection_name: string };

export type SubmissionKind = Submission['kind'];

export const SUBMISSION_KINDS: readonly SubmissionKind[] = ['definition', 'name', 'collection'];

export type SubmissionParse = { ok: true; submission: Submission } | { ok: false; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates a submission body; the error names the first bad field. */
export function parseSubmission(kind: SubmissionKind, body: unknown): SubmissionParse {
  if (!isRecord(body)) return { ok: false, error: 'body must be a JSON object' };
  const fail = (error: string): SubmissionParse => ({ ok: false, error });
  if (!isUid(body.fact_uid)) return fail('fact_uid must be a non-negative integer');
  const factUid = body.fact_uid;
  switch (kind) {
    case 'definition': {
      const { partial_definition: partial, full_definition: full } = body;
      if (typeof partial !== 'string') return fail('partial_definition must be a string');
      if (typeof full !== 'string') return fail('full_definition must be a string');
      return { ok: true, submission: { kind, fact_uid: factUid, partial_definition: partial, full_definition: full } };
    }
    case 'name': {
      const { name } = body;
      if (typeof name !== 'string' || name.trim() === '') return fail('name must be a non-empty string');
      return { ok: true, submission: { kind, fact_uid: factUid, name: name.trim() } };
    }
    case 'collection': {
      const { collection_uid: collectionUid, collection_name: collectionName } = body;
      if (!isUid(collectionUid)) return fail('collection_uid must be a non-negative integer');
      if (typeof collectionName !== 'string') return fail('collection_name must be a string');
      return {
        ok: true,
        submission: { kind, fact_uid: factUid, collection_uid: collectionUid, collection_name: collectionName },
      };
    }
  }
}

/** Applies a validated submission to the store: the updated fact, or undefined for an unknown fact uid. */
export function applySubmission(store: FactStore, submission: Submission): Fact | undefined {
  switch (submission.kind) {
    case 'definition':
      return store.setDefinition(submission.fact_uid, submission.partial_definition, submission.full_definition);
    case 'name':
      return store.rename(submission.fact_uid, submission.name);
    case 'collection':
      return store.setCollection(submission.fact_uid, submission.collection_uid, submission.collection_name);
  }
}
