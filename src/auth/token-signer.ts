import { SignJWT } from 'jose';
import type { JwtKey } from './jwt-keys.js';

export interface MintOptions {
  sub: string;
  ttlSeconds: number;
  /** Adds `roles: ["admin"]`. */
  admin?: boolean;
  issuer?: string;
  audience?: string;
  /** Further claims (registered claims above win). */
  claims?: Record<string, unknown>;
}

/** Signs a JWT with `iat`, `exp = iat + ttl`, `sub` and the optional claims. */
export async function signToken(key: JwtKey, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { ...options.claims };
  if (options.admin) payload.roles = ['admin'];
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(key.key);
}
