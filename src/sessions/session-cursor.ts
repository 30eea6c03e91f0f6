import { ClarityError } from '../common/clarity-error.js';
import type { SessionListPosition } from './session.repository.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An opaque list cursor: base64url of `<updated_at µs>.<id>` of the last item of a page. */
export function encodeSessionCursor(position: SessionListPosition): string {
  return Buffer.from(`${position.updatedAtMicros}.${position.id}`, 'utf8').toString('base64url');
}

export function decodeSessionCursor(cursor: string): SessionListPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(-?\d{1,19})\.(.+)$/.exec(text);
  if (!match || !UUID_RE.test(match[2]!)) throw ClarityError.badRequest("Parameter 'cursor' is invalid");
  return { updatedAtMicros: match[1]!, id: match[2]! };
}
