/** The parts of a Socket.IO handshake (or an HTTP request) a token can come from. */
export interface TokenCarrier {
  auth?: unknown;
  headers?: Record<string, unknown>;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * The bearer token of a handshake: `auth.token` when it is a non-empty string,
 * else the `Authorization: Bearer <token>` header (scheme case-insensitive).
 * Returns undefined when neither carries one. Does not validate the token.
 */
export function extractToken(carrier: TokenCarrier | undefined | null): string | undefined {
  if (!carrier) return undefined;
  const auth = carrier.auth;
  if (auth !== null && typeof auth === 'object') {
    const token = (auth as { token?: unknown }).token;
    if (typeof token === 'string' && token.trim() !== '') return token.trim();
  }
  const header = authorizationHeader(carrier.headers);
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

function authorizationHeader(headers: Record<string, unknown> | undefined): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  // Node lower-cases incoming header names; a hand-built object may not.
  const direct = headers.authorization;
  if (typeof direct === 'string') return direct;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}
