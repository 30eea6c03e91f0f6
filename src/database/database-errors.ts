import { ClarityError } from '../common/clarity-error.js';

/** Message of the error a request gets while PostgreSQL cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'Database unavailable';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server that is shutting down, starting up or out of connection slots. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
const UNAVAILABLE_MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'not queryable',
  'connection error',
  'cannot use a pool after calling end',
  'connection is closed',
  // A transaction whose connection died: TypeORM's rollback (or the next statement) then
  // finds its query runner released (QueryRunnerAlreadyReleasedError and the Provider variant).
  'query runner was already released',
  'query runner already released',
];

function fieldOf(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/**
 * Is this a failure to reach PostgreSQL (refused, reset, timed out, server
 * shutting down or starting up) rather than an error of the statement itself?
 * TypeORM wraps driver errors (QueryFailedError.driverError); both are looked at.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const candidate of [error, fieldOf(error, 'driverError'), fieldOf(error, 'cause')]) {
    if (candidate === undefined || candidate === null) continue;
    const code = fieldOf(candidate, 'code');
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))
    ) {
      return true;
    }
    const message = fieldOf(candidate, 'message');
    if (typeof message === 'string') {
      const lower = message.toLowerCase();
      if (UNAVAILABLE_MESSAGES.some((m) => lower.includes(m))) return true;
    }
  }
  return false;
}

/**
 * Runs a database operation; an unreachable database becomes
 * ClarityError('INTERNAL', 'Database unavailable') (the original error is its
 * `cause`, for logs). Other errors pass through unchanged.
 */
export async function guardDatabase<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ClarityError) throw error;
    if (isDatabaseUnavailable(error)) {
      throw Object.assign(new ClarityError('INTERNAL', DATABASE_UNAVAILABLE_MESSAGE), { cause: error });
    }
    throw error;
  }
}
