/** Small value helpers for aspect values and occurrence times. */

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** The right object name of a value fact as a number when it is numeric, else the text. */
export function parseQuant(text: string): number | string {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : t;
}

/** ISO-8601 duration between two date-times, or null when either does not parse or end < begin. */
export function isoDuration(begin: string | null, end: string | null): string | null {
  if (begin === null || end === null) return null;
  const b = Date.parse(begin);
  const e = Date.parse(end);
  if (!Number.isFinite(b) || !Number.isFinite(e) || e < b) return null;
  let seconds = Math.round((e - b) / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const time = (hours ? `${hours}H` : '') + (minutes ? `${minutes}M` : '') + (seconds ? `${seconds}S` : '');
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
