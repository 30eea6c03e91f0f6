import { z } from 'zod';
import { parseParams } from '../common/request-params.js';
import { checkJsonState, isStorableText } from '../sessions/json-state.js';

/** Largest old/new value, as UTF-8 bytes of its JSON serialization (the bound of a session state). */
export const CHANGE_VALUE_MAX_BYTES = 256 * 1024;

const uidSchema = (param: string) =>
  z
    .number({ error: `Parameter '${param}' must be a positive integer` })
    .int({ error: `Parameter '${param}' must be a positive integer` })
    .positive({ error: `Parameter '${param}' must be a positive integer` })
    .max(Number.MAX_SAFE_INTEGER, { error: `Parameter '${param}' must be a positive integer` });

/**
 * A JSON value as a jsonb column holds it: its inside is not typed (TypeORM's
 * partial-entity types cannot follow recursive or `unknown` members).
 */
export type JsonValue = object | string | number | boolean | null;

/** Any JSON value jsonb stores unchanged; undefined and null are stored as SQL NULL. */
const jsonValueSchema = (param: string) =>
  z.unknown().superRefine((value, ctx) => {
    if (value === undefined || value === null) return;
    const problem = checkJsonState({ value }, CHANGE_VALUE_MAX_BYTES);
    if (problem) ctx.addIssue({ code: 'custom', message: `Parameter '${param}' must be a storable JSON value` });
  });

/**
 * What the model update handlers hand to ChangeLogService.record(): server-side
 * input (not a client payload), checked before it is written so that a bad
 * entry is BAD_REQUEST naming the field, never a database error.
 */
export const recordChangeSchema = z.object({
  entityUid: uidSchema('entityUid'),
  factUid: uidSchema('factUid').nullable().optional(),
  field: z
    .string({ error: "Parameter 'field' must be a string" })
    .min(1, { error: "Parameter 'field' must not be empty" })
    .max(64, { error: "Parameter 'field' must be at most 64 characters long" })
    .refine(isStorableText, { error: "Parameter 'field' contains characters that cannot be stored" }),
  oldValue: jsonValueSchema('oldValue'),
  newValue: jsonValueSchema('newValue'),
  changedBy: z
    .string({ error: "Parameter 'changedBy' must be a string" })
    .min(1, { error: "Parameter 'changedBy' must not be empty" })
    .refine(isStorableText, { error: "Parameter 'changedBy' contains characters that cannot be stored" }),
});
export type RecordChangeInput = z.input<typeof recordChangeSchema>;
export type ChangeRecord = z.output<typeof recordChangeSchema>;

/** The checked change, or ClarityError('BAD_REQUEST') naming the first offending field (the edge's own wording). */
export function checkChangeRecord(input: RecordChangeInput): ChangeRecord {
  return parseParams(recordChangeSchema, input);
}

/** The stored columns of a change (absent values as NULL), as the log and its outbox hold them. */
export interface ChangeRow {
  entityUid: number;
  factUid: number | null;
  field: string;
  oldValue: JsonValue;
  newValue: JsonValue;
  changedBy: string;
}

/** The stored columns of a checked change. */
export function changeRow(change: ChangeRecord): ChangeRow {
  return {
    entityUid: change.entityUid,
    factUid: change.factUid ?? null,
    field: change.field,
    // Checked by the schema: storable JSON values, or absent.
    oldValue: (change.oldValue ?? null) as JsonValue,
    newValue: (change.newValue ?? null) as JsonValue,
    changedBy: change.changedBy,
  };
}
