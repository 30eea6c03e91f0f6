import { z } from 'zod';
import { ClarityError } from '../common/clarity-error.js';
import { checkJsonState, isStorableText } from './json-state.js';

export { isStorableText };

/**
 * Input schemas of the session and change-log APIs. The gateway validates
 * request payloads with them at the edge (`parseInput(schema, payload)`), and
 * the services validate again with the same schemas (defence in depth). A bad
 * input is always ClarityError('BAD_REQUEST', "Parameter '<name>' …") or
 * "Required parameter '<name>' not provided" — never a database error.
 */

export const SESSION_NAME_MAX_CHARS = 255;
/** Limit on `state`, measured as UTF-8 bytes of its JSON serialization. */
export const SESSION_STATE_MAX_BYTES = 256 * 1024;
export const SESSION_LIST_DEFAULT_LIMIT = 50;
export const SESSION_LIST_MAX_LIMIT = 100;
/** `version` is a PostgreSQL int. */
export const SESSION_VERSION_MAX = 2_147_483_647;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sessionIdSchema = z
  .string({ error: "Parameter 'id' must be a UUID string" })
  .regex(UUID_RE, { error: "Parameter 'id' must be a UUID" })
  .transform((id) => id.toLowerCase());

export const sessionNameSchema = z
  .string({ error: "Parameter 'name' must be a string" })
  .transform((name) => name.trim())
  .superRefine((name, ctx) => {
    const chars = [...name].length;
    if (chars === 0) {
      ctx.addIssue({ code: 'custom', message: "Parameter 'name' must not be empty" });
    } else if (chars > SESSION_NAME_MAX_CHARS) {
      ctx.addIssue({
        code: 'custom',
        message: `Parameter 'name' must be at most ${SESSION_NAME_MAX_CHARS} characters long`,
      });
    } else if (!isStorableText(name)) {
      ctx.addIssue({ code: 'custom', message: "Parameter 'name' contains characters that cannot be stored" });
    }
  });

export type SessionState = Record<string, unknown>;

export const sessionStateSchema = z.unknown().superRefine((state, ctx) => {
  const problem = checkJsonState(state, SESSION_STATE_MAX_BYTES);
  if (problem) ctx.addIssue({ code: 'custom', message: `Parameter 'state' ${problem}` });
}) as unknown as z.ZodType<SessionState>;

export const sessionVersionSchema = z
  .number({ error: "Parameter 'version' must be a non-negative integer" })
  .int({ error: "Parameter 'version' must be a non-negative integer" })
  .min(0, { error: "Parameter 'version' must be a non-negative integer" })
  .max(SESSION_VERSION_MAX, { error: `Parameter 'version' must be at most ${SESSION_VERSION_MAX}` });

export const createSessionSchema = z.object({
  name: sessionNameSchema,
  state: sessionStateSchema.optional(),
});
export type CreateSessionInput = z.input<typeof createSessionSchema>;

export const listSessionsSchema = z.object({
  limit: z
    .number({ error: `Parameter 'limit' must be an integer between 1 and ${SESSION_LIST_MAX_LIMIT}` })
    .int({ error: `Parameter 'limit' must be an integer between 1 and ${SESSION_LIST_MAX_LIMIT}` })
    .min(1, { error: `Parameter 'limit' must be an integer between 1 and ${SESSION_LIST_MAX_LIMIT}` })
    .max(SESSION_LIST_MAX_LIMIT, {
      error: `Parameter 'limit' must be an integer between 1 and ${SESSION_LIST_MAX_LIMIT}`,
    })
    .optional(),
  /** The `nextCursor` of the previous page. */
  cursor: z
    .string({ error: "Parameter 'cursor' must be a string" })
    .max(200, { error: "Parameter 'cursor' is invalid" })
    .optional(),
  /** Items carry their `state` only when asked (states can be large). */
  includeState: z.boolean({ error: "Parameter 'includeState' must be a boolean" }).optional(),
});
export type ListSessionsInput = z.input<typeof listSessionsSchema>;

export const sessionIdParamsSchema = z.object({ id: sessionIdSchema });
export type SessionIdInput = z.input<typeof sessionIdParamsSchema>;

export const updateSessionSchema = z.object({
  id: sessionIdSchema,
  name: sessionNameSchema.optional(),
  state: sessionStateSchema.optional(),
  version: sessionVersionSchema,
});
export type UpdateSessionInput = z.input<typeof updateSessionSchema>;

/**
 * Parses a request payload: returns the schema's output or throws
 * ClarityError('BAD_REQUEST') naming the first offending parameter.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw ClarityError.badRequest('Payload must be an object');
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path[0];
  if (typeof param === 'string' && (input as Record<string, unknown>)[param] === undefined) {
    throw ClarityError.badRequest(`Required parameter '${param}' not provided`);
  }
  const message = issue?.message ?? 'Invalid payload';
  throw ClarityError.badRequest(
    message.startsWith('Parameter ') || typeof param !== 'string' ? message : `Parameter '${param}' is invalid`,
  );
}
