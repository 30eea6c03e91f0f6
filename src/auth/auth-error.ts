/**
 * A refused token. `reason` (also the message) says why, for logs only: a client
 * only ever sees "Unauthorized". The reason never contains the token.
 */
export class AuthError extends Error {
  readonly code = 'UNAUTHORIZED' as const;

  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AuthError';
  }
}
