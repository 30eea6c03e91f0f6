import { z } from 'zod';
import {
  describedCheck,
  Invalid,
  isBoolean,
  isIntegerBetween,
  optionalParam,
  requiredParam,
  type Check,
} from '../common/request-params.js';
import { checkJsonState, isStorableText } from './json-state.js';

export { isStorableText };

/**
 * Request parameters of the session API (spec §3), built on the shared
 * parameter builders and parsed once at the edge (the gateway's parseParams);
 * SessionsService receives their parsed, typed output. A bad input is
 * BAD_REQUEST "Parameter '<name>' …" or "Required parameter '<name>' not
 * provided" — never a database error.
 */

export const SESSION_NAME_MAX_CHARS = 255;
/**
 * Default limit on one `state` (SESSION_STATE_MAX_BYTES), measured as UTF-8 bytes of
 * its JSON serialization. The configured limit is a quota (QUOTA_EXCEEDED), checked
 * by SessionsService; the schemas check the shape only.
 */
export const SESSION_STATE_MAX_BYTES = 1024 * 1024;
export const SESSION_LIST_DEFAULT_LIMIT = 50;
export const SESSION_LIST_MAX_LIMIT = 100;
/** `version` is a PostgreSQL int. */
export const SESSION_VERSION_MAX = 2_147_483_647;
/** Longest `cursor` (a `nextCursor` is far shorter). */
const SESSION_CURSOR_MAX_CHARS = 200;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SessionState = Record<string, unknown>;

const A_STRING = new Invalid('must be a string');
const A_UUID_STRING = new Invalid('must be a UUID string');
const A_UUID = new Invalid('must be a UUID');
const NOT_EMPTY = new Invalid('must not be empty');
const NAME_TOO_LONG = new Invalid(`must be at most ${SESSION_NAME_MAX_CHARS} characters long`);
const UNSTORABLE = new Invalid('contains characters that cannot be stored');
const NON_NEGATIVE_INTEGER = new Invalid('must be a non-negative integer');
const VERSION_TOO_BIG = new Invalid(`must be at most ${SESSION_VERSION_MAX}`);
const CURSOR_TOO_LONG = new Invalid(`must be at most ${SESSION_CURSOR_MAX_CHARS} characters long`);

/** A session id: a UUID string, answered in lower case. */
export const isSessionId: Check<string> = describedCheck({ type: 'string', format: 'uuid' }, (value) => {
  if (typeof value !== 'string') return A_UUID_STRING;
  return UUID_RE.test(value) ? value.toLowerCase() : A_UUID;
});

/** A session name: trimmed, 1..255 characters, storable in PostgreSQL text. */
const NAME_SCHEMA = { type: 'string', minLength: 1, maxLength: SESSION_NAME_MAX_CHARS, description: 'Trimmed' };
const isSessionName: Check<string> = describedCheck(NAME_SCHEMA, (value) => {
  if (typeof value !== 'string') return A_STRING;
  const name = value.trim();
  const chars = [...name].length;
  if (chars === 0) return NOT_EMPTY;
  if (chars > SESSION_NAME_MAX_CHARS) return NAME_TOO_LONG;
  return isStorableText(name) ? name : UNSTORABLE;
});

/**
 * A session state: a JSON object without prototype keys that jsonb can store. Its size
 * is measured here (serializedBytes) and held to SESSION_STATE_MAX_BYTES by the service
 * (a quota: QUOTA_EXCEEDED).
 */
const STATE_SCHEMA = {
  type: 'object',
  description: 'A JSON object; its serialized size is held to SESSION_STATE_MAX_BYTES (default 1 MB), a quota',
};
const isSessionState: Check<SessionState> = describedCheck(STATE_SCHEMA, (value) => {
  const problem = checkJsonState(value, Number.POSITIVE_INFINITY);
  return problem === undefined ? (value as SessionState) : new Invalid(problem);
});

const isVersion: Check<number> = describedCheck(
  { type: 'integer', minimum: 0, maximum: SESSION_VERSION_MAX },
  (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return NON_NEGATIVE_INTEGER;
    return value > SESSION_VERSION_MAX ? VERSION_TOO_BIG : value;
  },
);

const isCursor: Check<string> = describedCheck({ type: 'string', maxLength: SESSION_CURSOR_MAX_CHARS }, (value) => {
  if (typeof value !== 'string') return A_STRING;
  return value.length > SESSION_CURSOR_MAX_CHARS ? CURSOR_TOO_LONG : value;
});

/** `clarity.session/create`: `{name, state?}`. */
export const createSessionSchema = z.object({
  name: requiredParam('name', isSessionName),
  state: optionalParam('state', isSessionState),
});
export type CreateSessionInput = z.output<typeof createSessionSchema>;

/** `clarity.session/list`: `{limit?, cursor?, includeState?}`. */
export const listSessionsSchema = z.object({
  limit: optionalParam('limit', isIntegerBetween(1, SESSION_LIST_MAX_LIMIT)),
  /** The `nextCursor` of the previous page. */
  cursor: optionalParam('cursor', isCursor),
  /** Items carry their `state` only when asked (states can be large). */
  includeState: optionalParam('includeState', isBoolean),
});
export type ListSessionsInput = z.output<typeof listSessionsSchema>;

/** `clarity.session/get` and `clarity.session/delete`: `{id}`. */
export const sessionIdParamsSchema = z.object({ id: requiredParam('id', isSessionId) });

/** `clarity.session/update`: `{id, name?, state?, version}`. */
export const updateSessionSchema = z.object({
  id: requiredParam('id', isSessionId),
  name: optionalParam('name', isSessionName),
  state: optionalParam('state', isSessionState),
  version: requiredParam('version', isVersion),
});
export type UpdateSessionInput = z.output<typeof updateSessionSchema>;

/**
 * `clarity.environment/get`: `{environmentId, includeFacts?}`, environmentId a
 * session id; `includeFacts` as for `clarity.model/get-batch` (the models' facts
 * are included unless it is false).
 */
export const environmentRequestSchema = z.object({
  environmentId: requiredParam('environmentId', isSessionId),
  includeFacts: optionalParam('includeFacts', isBoolean, { nullIsAbsent: true }),
});
export type EnvironmentRequest = z.output<typeof environmentRequestSchema>;
