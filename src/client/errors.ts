import type { ClarityErrorCode, ConnectErrorCode } from './api-types.js';

/** A request that failed: the server's error envelope (`code`, `error`, `correlationId`), or no answer in time. */
export class ClarityRequestError extends Error {
  constructor(
    /** The envelope's code (spec §3), or TIMEOUT / DISCONNECTED when no answer came. */
    readonly code: ClarityErrorCode,
    message: string,
    /** The event that was sent. */
    readonly event: string,
    /** The request's correlation id, as the server logged it. */
    readonly correlationId: string | undefined,
  ) {
    super(message);
    this.name = 'ClarityRequestError';
  }
}

/** A handshake that was refused (`connect_error` `data.code`) or could not be made. */
export class ClarityConnectError extends Error {
  constructor(
    readonly code: ConnectErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClarityConnectError';
  }
}
