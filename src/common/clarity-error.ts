/**
 * Error codes a client can receive in a response envelope (spec §3).
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'WRONG_CATEGORY'
  | 'WRONG_NATURE'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'ARCHIVIST_UNAVAILABLE'
  | 'ARCHIVIST_ERROR'
  | 'AI_UNAVAILABLE'
  | 'AI_ERROR'
  | 'QUOTA_EXCEEDED'
  | 'WORKFLOW_STATE'
  | 'INTERNAL';

/**
 * Every ErrorCode, for the API documents (AsyncAPI) and clients. The compiler
 * holds it to exactly the union above: a code added there and not here fails
 * the build (naming the code), and so does one listed here but not there.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'WRONG_CATEGORY',
  'WRONG_NATURE',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'ARCHIVIST_UNAVAILABLE',
  'ARCHIVIST_ERROR',
  'INTERNAL',
  'AI_UNAVAILABLE',
  'AI_ERROR',
  'QUOTA_EXCEEDED',
  'WORKFLOW_STATE',
] as const satisfies readonly ErrorCode[];

/** `true` when ERROR_CODES lists every ErrorCode, else the codes it misses (a type error below). */
type UnlistedErrorCodes = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
export const ERROR_CODES_COMPLETE: [UnlistedErrorCodes] extends [never] ? true : UnlistedErrorCodes = true;

/**
 * A failure whose message is safe to show to a client. Anything that is not a
 * ClarityError reaching the edge is answered as INTERNAL with a generic message.
 */
export class ClarityError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClarityError';
  }

  static notFound(uid: number): ClarityError {
    return new ClarityError('NOT_FOUND', `Entity with UID ${uid} not found`);
  }

  static badRequest(message: string): ClarityError {
    return new ClarityError('BAD_REQUEST', message);
  }

  /** A per-user or per-socket limit (spec §3 "Quotas"): `Quota exceeded: at most <what> (<VARIABLE>)`. */
  static quotaExceeded(what: string, variable: string): ClarityError {
    return new ClarityError('QUOTA_EXCEEDED', `Quota exceeded: at most ${what} (${variable})`);
  }
}
