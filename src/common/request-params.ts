import { z } from 'zod';
import { ClarityError } from './clarity-error.js';

/**
 * The one validation path of request parameters (spec §3). Every feature keeps
 * its request schemas in its own `*.schemas.ts`, built from the parameter
 * builders below; the gateway parses each payload once, at the edge, with
 * parseParams, and the services receive the parsed, typed values.
 *
 * A parameter is a name and a check. The messages are those of spec §3, word
 * for word, and each names the parameter and says what is expected:
 * `Required parameter 'uid' not provided`, `Parameter 'uid' must be a positive integer`.
 */

export const PAYLOAD_NOT_AN_OBJECT = 'Payload must be a JSON object';

export function requiredMessage(name: string): string {
  return `Required parameter '${name}' not provided`;
}

/**
 * What is wrong with a value that is present: the end of the sentence
 * "Parameter '<name>' …", e.g. `must be a string`.
 */
export class Invalid {
  constructor(readonly expected: string) {}
}

/** JSON Schema (draft 7 / AsyncAPI schema) of a parameter, for the API documents and typed clients. */
export type ParamJsonSchema = Record<string, unknown>;

/**
 * A parameter's check: the parsed value, or Invalid saying what is expected.
 * A check may carry the JSON Schema of the values it accepts (`jsonSchema`, see
 * describedCheck); `I` is the type a client may send (the schema's input type).
 */
export type Check<T, I = T> = ((value: unknown) => T | Invalid) & {
  readonly jsonSchema?: ParamJsonSchema;
  /** Type-level only: what a client sends. */
  readonly __input?: I;
};

/** A check that documents what it accepts: `jsonSchema` for the AsyncAPI document, `I` for typed clients. */
export function describedCheck<T, I = T>(
  jsonSchema: ParamJsonSchema,
  check: (value: unknown) => T | Invalid,
): Check<T, I> {
  return Object.assign(check, { jsonSchema });
}

/**
 * The JSON Schema of every parameter built below, by its zod schema (whose
 * `z.unknown().transform(...)` zod cannot describe by itself); read by
 * toParamsJsonSchema when the API documents are generated.
 */
export const paramJsonSchemas = z.registry<ParamJsonSchema>();

/** A parameter as z.object sees it: parses unknown input to T; a client sends I. */
export type Param<T, I> = z.ZodType<T, I>;

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** A parameter that must be present; `null` counts as not provided. */
export function requiredParam<T, I = T>(name: string, check: Check<T, I>): Param<T, I> {
  const schema = z.unknown().transform((value, ctx): T => {
    if (value === undefined || value === null) return fail(ctx, requiredMessage(name));
    const parsed = check(value);
    return parsed instanceof Invalid ? fail(ctx, `Parameter '${name}' ${parsed.expected}`) : parsed;
  });
  paramJsonSchemas.add(schema, { ...check.jsonSchema });
  return schema as unknown as Param<T, I>;
}

/**
 * A parameter that may be left out (`undefined`). `null` is checked like any
 * other value unless `nullIsAbsent` (then it reads as left out).
 */
export function optionalParam<T, I = T>(name: string, check: Check<T, I>, { nullIsAbsent = false } = {}) {
  const schema = z.unknown().transform((value, ctx): T | undefined => {
    if (value === null && nullIsAbsent) return undefined;
    const parsed = check(value);
    return parsed instanceof Invalid ? fail(ctx, `Parameter '${name}' ${parsed.expected}`) : parsed;
  });
  const accepted = { ...check.jsonSchema };
  paramJsonSchemas.add(schema, nullIsAbsent ? { anyOf: [accepted, { type: 'null' }] } : accepted);
  return (schema as unknown as Param<T | undefined, I>).optional();
}

// ---- checks --------------------------------------------------------------

const POSITIVE_INTEGER = new Invalid('must be a positive integer');
const A_STRING = new Invalid('must be a string');
const TRUE_OR_FALSE = new Invalid('must be true or false');

/** Parses a uid: a positive safe integer, or a string of digits holding one. */
export function parseUid(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{1,16}\s*$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  }
  return undefined;
}

/** JSON Schema of a uid: a positive integer, or a string of digits holding one. */
export const UID_JSON_SCHEMA: ParamJsonSchema = {
  oneOf: [
    { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    { type: 'string', pattern: '^\\s*\\d{1,16}\\s*$' },
  ],
};

export const isUid: Check<number, number | string> = describedCheck(
  UID_JSON_SCHEMA,
  (value) => parseUid(value) ?? POSITIVE_INTEGER,
);

export const isBoolean: Check<boolean> = describedCheck({ type: 'boolean' }, (value) =>
  typeof value === 'boolean' ? value : TRUE_OR_FALSE,
);

/** A string of `min..max` characters (code points). */
export function isText({ min = 0, max }: { min?: number; max: number }): Check<string> {
  const wrongLength = new Invalid(`must be ${min}..${max} characters long`);
  return describedCheck({ type: 'string', minLength: min, maxLength: max }, (value) => {
    if (typeof value !== 'string') return A_STRING;
    const length = [...value].length;
    return length < min || length > max ? wrongLength : value;
  });
}

/** An integer in `min..max`; with `digitStrings`, a string of digits counts as its number. */
export function isIntegerBetween(
  min: number,
  max: number,
  options: { digitStrings: true },
): Check<number, number | string>;
export function isIntegerBetween(min: number, max: number, options?: { digitStrings?: boolean }): Check<number>;
export function isIntegerBetween(
  min: number,
  max: number,
  { digitStrings = false }: { digitStrings?: boolean } = {},
): Check<number, number | string> {
  const outOfRange = new Invalid(`must be an integer between ${min} and ${max}`);
  const integer = { type: 'integer', minimum: min, maximum: max };
  const jsonSchema = digitStrings ? { oneOf: [integer, { type: 'string', pattern: '^\\d{1,9}$' }] } : integer;
  return describedCheck(jsonSchema, (value) => {
    const n = digitStrings && typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : outOfRange;
  });
}

// ---- the parameters most requests share -------------------------------------

/** Longest free text parameter (definitions). */
const MAX_TEXT = 10_000;

export const uid = (name: string) => requiredParam(name, isUid);

export const optionalUid = (name: string) => optionalParam(name, isUid, { nullIsAbsent: true });

export const text = (name: string, { min = 0, max = MAX_TEXT }: { min?: number; max?: number } = {}) =>
  requiredParam(name, isText({ min, max }));

export const optionalBoolean = (name: string) => optionalParam(name, isBoolean, { nullIsAbsent: true });

/** An optional integer in `min..max`; a string of digits counts as its number. */
export const optionalInt = (name: string, min: number, max: number) =>
  optionalParam(name, isIntegerBetween(min, max, { digitStrings: true }), { nullIsAbsent: true });

// ---- the parse ------------------------------------------------------------------

/**
 * Parses a request's parameters with `schema`: returns its output, or throws
 * ClarityError BAD_REQUEST with the first problem's message. A payload that is
 * not a JSON object is refused before the schema.
 */
export function parseParams<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw ClarityError.badRequest(PAYLOAD_NOT_AN_OBJECT);
  }
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  throw ClarityError.badRequest(messageOf(result.error.issues[0], payload as Record<string, unknown>));
}

/**
 * The builders above always word their issues. A schema written with zod's own
 * types still gets spec §3's messages: a missing parameter is "not provided",
 * a message that names its parameter is kept, anything else names the parameter.
 */
function messageOf(issue: z.core.$ZodIssue | undefined, payload: Record<string, unknown>): string {
  if (issue === undefined) return 'Invalid parameters';
  if (issue.code === 'custom') return issue.message;
  const name = issue.path.join('.') || 'payload';
  const top = issue.path[0];
  if (
    issue.code === 'invalid_type' &&
    issue.path.length === 1 &&
    typeof top === 'string' &&
    payload[top] === undefined
  ) {
    return requiredMessage(name);
  }
  return issue.message.startsWith(`Parameter '${name}' `) ? issue.message : `Parameter '${name}' is invalid`;
}
