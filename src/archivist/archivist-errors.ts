import { ClarityError } from '../common/clarity-error.js';

/** What went wrong with one HTTP call to the Archivist. */
export type CallFailureKind =
  | 'timeout' // no complete answer within the timeout
  | 'network' // connection refused/reset, DNS, …
  | 'server' // 5xx
  | 'client' // 4xx other than 404
  | 'malformed'; // an answer that is not the JSON shape of spec §6

/** Internal failure of one Archivist call; turned into a ClarityError at the client's edge. */
export class ArchivistCallError extends Error {
  constructor(
    readonly kind: CallFailureKind,
    readonly endpoint: string,
    message: string,
    readonly status?: number,
    /** The request was certainly not received (connection refused): safe to resend even a write. */
    readonly notSent = false,
    /** The Archivist's own `{error}` message of a 4xx answer (about the request, safe to show). */
    readonly upstreamMessage?: string,
  ) {
    super(message);
    this.name = 'ArchivistCallError';
  }

  /** Failures that say the Archivist is (perhaps briefly) unable to answer: retried (reads) and counted by the breaker. */
  get transient(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || this.kind === 'server';
  }
}

export const UNAVAILABLE_MESSAGE = 'Archivist service unavailable';

export function archivistUnavailable(): ClarityError {
  return new ClarityError('ARCHIVIST_UNAVAILABLE', UNAVAILABLE_MESSAGE);
}

/**
 * The client-facing error: network errors, timeouts and gateway-style 5xx
 * (502/503/504) mean the Archivist is unavailable; other 5xx, refused requests
 * (4xx) and garbage answers are ARCHIVIST_ERROR with a message that names the
 * endpoint but no internals.
 */
export function toClarityError(err: unknown): ClarityError {
  if (err instanceof ClarityError) return err;
  if (err instanceof ArchivistCallError) {
    switch (err.kind) {
      case 'timeout':
      case 'network':
        return archivistUnavailable();
      case 'server':
        if (err.status === 502 || err.status === 503 || err.status === 504) return archivistUnavailable();
        return new ClarityError('ARCHIVIST_ERROR', `Archivist failed on ${err.endpoint} (HTTP ${err.status})`);
      case 'client':
        return new ClarityError('ARCHIVIST_ERROR', `Archivist refused ${err.endpoint} (HTTP ${err.status})`);
      case 'malformed':
        // The detail quotes the upstream body: it goes to the log (ArchivistClient.execute), not to clients.
        return new ClarityError('ARCHIVIST_ERROR', `Archivist sent an invalid answer on ${err.endpoint}`);
    }
  }
  return new ClarityError('ARCHIVIST_ERROR', 'Archivist call failed');
}
