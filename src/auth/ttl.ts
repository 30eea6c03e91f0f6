const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Longest lifetime a minted token may have. */
export const MAX_TTL_SECONDS = 365 * 86400;

/**
 * Parses a token lifetime such as `30s`, `15m`, `1h`, `7d` (a bare number is
 * seconds) into seconds. Throws a one-line Error for anything else.
 */
export function parseTtl(text: string): number {
  const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(text);
  if (!match) throw new Error(`invalid ttl "${text}": use e.g. 30s, 15m, 1h or 7d`);
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()]!;
  if (seconds <= 0) throw new Error(`invalid ttl "${text}": must be positive`);
  if (seconds > MAX_TTL_SECONDS) throw new Error(`invalid ttl "${text}": at most 365d`);
  return seconds;
}
