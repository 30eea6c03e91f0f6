import type { JWTPayload } from 'jose';

/** True when verified claims grant operator rights: `roles` includes "admin", or `admin: true`. */
export function isAdmin(claims: JWTPayload | undefined | null): boolean {
  if (!claims) return false;
  if (claims.admin === true) return true;
  const roles = claims.roles;
  return Array.isArray(roles) && roles.includes('admin');
}
