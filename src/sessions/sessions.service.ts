import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ClarityError } from '../common/clarity-error.js';
import { SessionRepository } from './session.repository.js';
import {
  SESSION_LIST_DEFAULT_LIMIT,
  type CreateSessionInput,
  type ListSessionsInput,
  type UpdateSessionInput,
} from './session.schemas.js';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor.js';
import { toSessionDto, toSessionSummaryDto, type SessionDto, type SessionListDto } from './session.serializer.js';

function notFound(id: string): ClarityError {
  return new ClarityError('NOT_FOUND', `Session ${id} not found`);
}

/**
 * Modelling sessions of one user (`owner` = the token's `sub`). Another user's
 * session answers NOT_FOUND exactly like a missing one. Inputs arrive parsed:
 * the gateway validates each request once with the schemas of session.schemas.ts
 * (BAD_REQUEST naming the parameter); an unreachable database is
 * ClarityError('INTERNAL', 'Database unavailable').
 */
@Injectable()
export class SessionsService {
  constructor(private readonly sessions: SessionRepository) {}

  async create(owner: string, input: CreateSessionInput): Promise<SessionDto> {
    checkOwner(owner);
    const { name, state } = input;
    const record = await this.sessions.insert({ id: randomUUID(), owner, name, state: state ?? {} });
    return toSessionDto(record);
  }

  /**
   * The caller's sessions, newest first (by updatedAt), `limit` (default 50,
   * max 100) per page; pass `nextCursor` back as `cursor` for the next page.
   * Keyset pagination: no duplicates or gaps when sessions are added meanwhile.
   * Items omit `state` unless `includeState: true`.
   */
  async list(owner: string, input: ListSessionsInput = {}): Promise<SessionListDto> {
    checkOwner(owner);
    const { limit = SESSION_LIST_DEFAULT_LIMIT, cursor, includeState = false } = input;
    const after = cursor === undefined ? undefined : decodeSessionCursor(cursor);
    const [records, total] = await Promise.all([
      this.sessions.listOwned(owner, { limit: limit + 1, after, includeState }),
      this.sessions.countOwned(owner),
    ]);
    const page = records.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      records.length > limit && last
        ? encodeSessionCursor({ updatedAtMicros: last.updatedAtMicros, id: last.id })
        : null;
    return { items: page.map(toSessionSummaryDto), total, nextCursor };
  }

  async get(owner: string, id: string): Promise<SessionDto> {
    checkOwner(owner);
    const record = await this.sessions.findOwned(owner, id);
    if (!record) throw notFound(id);
    return toSessionDto(record);
  }

  /**
   * Optimistic update: succeeds only if `version` is the session's current
   * version (then version + 1); a stale version is CONFLICT and changes nothing.
   */
  async update(owner: string, input: UpdateSessionInput): Promise<SessionDto> {
    checkOwner(owner);
    const { id, name, state, version } = input;
    const updated = await this.sessions.updateIfVersion(owner, id, version, { name, state });
    if (updated) return toSessionDto(updated);
    const current = await this.sessions.findOwned(owner, id);
    if (!current) throw notFound(id);
    throw new ClarityError(
      'CONFLICT',
      `Session ${id} has been modified: version ${version} is stale, the current version is ${current.version}`,
    );
  }

  async delete(owner: string, id: string): Promise<{ id: string; deleted: true }> {
    checkOwner(owner);
    const deleted = await this.sessions.deleteOwned(owner, id);
    if (!deleted) throw notFound(id);
    return { id, deleted: true };
  }
}

/** The owner comes from the verified token; a missing one is a wiring bug, never client data. */
function checkOwner(owner: string): void {
  if (typeof owner !== 'string' || owner.length === 0) {
    throw new ClarityError('UNAUTHORIZED', 'Unauthorized');
  }
}
