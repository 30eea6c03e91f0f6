import type { TokenClaims } from './auth.service.js';

/** True when verified claims grant operator rights: `roles` includes "admin", or `admin: true`. */
export function isAdmin(claims: TokenClaims | undefined | null): boolean {
  if (!claims) return false;
  if (claims.admin === true) return true;
  const roles = claims.roles;
  return Array.isArray(roles) && roles.includes('admin');
}
