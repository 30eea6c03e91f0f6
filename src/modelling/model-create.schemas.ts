import { z } from 'zod';
import {
  Invalid,
  isText,
  optionalParam,
  optionalUid,
  requiredParam,
  uid,
  type Check,
} from '../common/request-params.js';
import { isStorableText } from '../sessions/json-state.js';

/** Request parameters of `clarity.model/create` (spec §3), parsed once at the edge with parseParams. */

/** Longest name of a new kind (the Archivist's limit, as for update-name). */
export const MODEL_NAME_MAX_CHARS = 255;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const A_UUID = new Invalid('must be a UUID');

const isUuid = (value: unknown): string | Invalid =>
  typeof value === 'string' && UUID.test(value.trim()) ? value.trim().toLowerCase() : A_UUID;

const NOT_STORABLE = new Invalid('contains characters that cannot be stored');

/** Text the Archivist and the change log both store unchanged (no NUL, no lone surrogate). */
function storableText(limits: { min?: number; max: number }): Check<string> {
  const isLength = isText(limits);
  return (value) => {
    const checked = isLength(value);
    if (checked instanceof Invalid) return checked;
    return isStorableText(checked) ? checked : NOT_STORABLE;
  };
}

const isName = storableText({ min: 1, max: MODEL_NAME_MAX_CHARS });
const BLANK_NAME = new Invalid('must not be blank');

export const createModelSchema = z
  .object({
    name: requiredParam('name', (value) => {
      const checked = isName(value);
      if (checked instanceof Invalid) return checked;
      const trimmed = checked.trim().replace(/\s+/g, ' ');
      return trimmed === '' ? BLANK_NAME : trimmed;
    }),
    supertype_uid: uid('supertype_uid'),
    full_definition: requiredParam('full_definition', storableText({ max: 10_000 })),
    partial_definition: optionalParam('partial_definition', storableText({ max: 10_000 }), { nullIsAbsent: true }),
    collection_uid: optionalUid('collection_uid'),
    collection_name: optionalParam('collection_name', storableText({ min: 1, max: MODEL_NAME_MAX_CHARS }), {
      nullIsAbsent: true,
    }),
    idempotencyKey: optionalParam('idempotencyKey', isUuid, { nullIsAbsent: true }),
  })
  .superRefine((value, ctx) => {
    if ((value.collection_uid === undefined) !== (value.collection_name === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: "Parameters 'collection_uid' and 'collection_name' must be given together",
      });
    }
  });
export type CreateModelRequest = z.output<typeof createModelSchema>;
