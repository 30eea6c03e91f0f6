import { z } from 'zod';
import { ClarityError } from '../common/clarity-error.js';

/**
 * Edge validation of request parameters. Messages name the parameter as spec §3
 * shows: "Required parameter 'uid' not provided", "Parameter 'uid' must be a
 * positive integer".
 */

const MAX_TEXT = 10_000;
export const MAX_BATCH = 100;

function required(name: string) {
  return `Required parameter '${name}' not provided`;
}

/** Parses a uid: a positive safe integer, or a string of digits holding one. */
export function parseUid(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{1,16}\s*$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  }
  return undefined;
}

export function uid(name: string) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): number => {
      if (value === undefined || value === null) {
        ctx.addIssue({ code: 'custom', message: required(name) });
        return z.NEVER;
      }
      const parsed = parseUid(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `Parameter '${name}' must be a positive integer` });
        return z.NEVER;
      }
      return parsed;
    });
}

export function optionalUid(name: string) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): number | undefined => {
      if (value === undefined || value === null) return undefined;
      const parsed = parseUid(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `Parameter '${name}' must be a positive integer` });
        return z.NEVER;
      }
      return parsed;
    });
}

export function text(name: string, { min = 0, max = MAX_TEXT }: { min?: number; max?: number } = {}) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string => {
      if (value === undefined || value === null) {
        ctx.addIssue({ code: 'custom', message: required(name) });
        return z.NEVER;
      }
      if (typeof value !== 'string') {
        ctx.addIssue({ code: 'custom', message: `Parameter '${name}' must be a string` });
        return z.NEVER;
      }
      const length = [...value].length;
      if (length < min || length > max) {
        ctx.addIssue({
          code: 'custom',
          message: `Parameter '${name}' must be ${min}..${max} characters long`,
        });
        return z.NEVER;
      }
      return value;
    });
}

export function optionalBoolean(name: string) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): boolean | undefined => {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'boolean') {
        ctx.addIssue({ code: 'custom', message: `Parameter '${name}' must be true or false` });
        return z.NEVER;
      }
      return value;
    });
}

export function optionalInt(name: string, min: number, max: number) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): number | undefined => {
      if (value === undefined || value === null) return undefined;
      const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `Parameter '${name}' must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

export const uidParams = z.object({ uid: uid('uid'), includeFacts: optionalBoolean('includeFacts') });

export const batchParams = z.object({
  uids: z
    .unknown()
    .optional()
    .transform((value, ctx): number[] => {
      if (value === undefined || value === null) {
        ctx.addIssue({ code: 'custom', message: required('uids') });
        return z.NEVER;
      }
      if (!Array.isArray(value) || value.length < 1 || value.length > MAX_BATCH) {
        ctx.addIssue({
          code: 'custom',
          message: `Parameter 'uids' must be an array of 1..${MAX_BATCH} positive integers`,
        });
        return z.NEVER;
      }
      const uids: number[] = [];
      for (const item of value) {
        const parsed = parseUid(item);
        if (parsed === undefined) {
          ctx.addIssue({ code: 'custom', message: `Parameter 'uids' must contain only positive integers` });
          return z.NEVER;
        }
        uids.push(parsed);
      }
      return uids;
    }),
  includeFacts: optionalBoolean('includeFacts'),
});

export const updateDefinitionParams = z.object({
  uid: uid('uid'),
  partial_definition: text('partial_definition'),
  full_definition: text('full_definition'),
  fact_uid: optionalUid('fact_uid'),
});

export const updateNameParams = z.object({
  uid: uid('uid'),
  name: text('name', { min: 1, max: 255 }),
  fact_uid: optionalUid('fact_uid'),
});

export const updateCollectionParams = z.object({
  fact_uid: uid('fact_uid'),
  collection_uid: uid('collection_uid'),
  collection_name: text('collection_name', { min: 1, max: 255 }),
});

export const historyParams = z.object({ uid: uid('uid'), limit: optionalInt('limit', 1, 500) });

export const subscriptionParams = z.object({ uid: uid('uid') });

export const emptyParams = z.object({});

/**
 * Validates `params` with `schema`; anything wrong becomes BAD_REQUEST with the
 * first problem's message. Non-object payloads are refused before the schema.
 */
export function validate<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw ClarityError.badRequest('Payload must be a JSON object');
  }
  const result = schema.safeParse(params);
  if (!result.success) {
    const issue = result.error.issues[0];
    const message =
      issue?.code === 'custom' ? issue.message : `Parameter '${issue?.path.join('.') || 'payload'}' is invalid`;
    throw ClarityError.badRequest(message);
  }
  return result.data;
}
