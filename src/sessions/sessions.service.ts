import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ClarityError } from '../common/clarity-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { isQuotaRefusal, SessionRepository, type QuotaRefusal } from './session.repository.js';
import { serializedBytes, stateTooLarge } from './json-state.js';
import { KeyedSerializer } from './keyed-serializer.js';
import {
  SESSION_LIST_DEFAULT_LIMIT,
  SESSION_STATE_MAX_BYTES,
  type CreateSessionInput,
  type ListSessionsInput,
  type UpdateSessionInput,
} from './session.schemas.js';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor.js';
import { toSessionDto, toSessionSummaryDto, type SessionDto, type SessionListDto } from './session.serializer.js';

/** The session quotas of spec §3 (SESSIONS_PER_USER, SESSION_STATE_MAX_BYTES, SESSION_STORAGE_PER_USER_MB). */
export interface SessionLimits {
  sessionsPerUser: number;
  stateMaxBytes: number;
  storageBytesPerUser: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  sessionsPerUser: 1000,
  stateMaxBytes: SESSION_STATE_MAX_BYTES,
  storageBytesPerUser: 100 * 1024 * 1024,
};

/** Injection token of the SessionLimits (SessionsModule builds them from the configuration). */
export const SESSION_LIMITS = Symbol('SESSION_LIMITS');

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
  private readonly limits: SessionLimits;
  /** A user's quota-checked writes, one at a time in this process (see KeyedSerializer). */
  private readonly writes = new KeyedSerializer();

  constructor(
    private readonly sessions: SessionRepository,
    @Optional() @Inject(SESSION_LIMITS) limits?: SessionLimits,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.limits = limits ?? DEFAULT_SESSION_LIMITS;
  }

  /**
   * Quotas (spec §3), each QUOTA_EXCEEDED naming its limit: a state over
   * SESSION_STATE_MAX_BYTES, a session beyond SESSIONS_PER_USER, or state bytes
   * beyond SESSION_STORAGE_PER_USER_MB (counted in PostgreSQL, so over all replicas).
   */
  async create(owner: string, input: CreateSessionInput): Promise<SessionDto> {
    checkOwner(owner);
    const { name } = input;
    const state = input.state ?? {};
    const stateBytes = this.checkStateSize(state);
    const record = await this.writes.run(owner, () =>
      this.sessions.insertWithinQuota({ id: randomUUID(), owner, name, state, stateBytes }, this.limits),
    );
    if (isQuotaRefusal(record)) throw this.refusal(record);
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
    let updated;
    if (state === undefined) {
      updated = await this.sessions.updateIfVersion(owner, id, version, { name });
    } else {
      const stateBytes = this.checkStateSize(state);
      updated = await this.writes.run(owner, () =>
        this.sessions.updateIfVersionWithinQuota(owner, id, version, { name, state, stateBytes }, this.limits),
      );
      if (isQuotaRefusal(updated)) throw this.refusal(updated);
    }
    if (updated) return toSessionDto(updated);
    const current = await this.sessions.findOwned(owner, id);
    if (!current) throw notFound(id);
    throw new ClarityError(
      'CONFLICT',
      `Session ${id} has been modified: version ${version} is stale, the current version is ${current.version}`,
    );
  }

  /** The state's size in bytes, or QUOTA_EXCEEDED when it is over SESSION_STATE_MAX_BYTES. */
  private checkStateSize(state: object): number {
    const bytes = serializedBytes(state);
    if (bytes > this.limits.stateMaxBytes) {
      this.metrics?.quotaRejected('session_state_bytes');
      throw new ClarityError(
        'QUOTA_EXCEEDED',
        `Quota exceeded: Parameter 'state' ${stateTooLarge(this.limits.stateMaxBytes)} (SESSION_STATE_MAX_BYTES)`,
      );
    }
    return bytes;
  }

  private refusal(refusal: QuotaRefusal): ClarityError {
    if (refusal.refused === 'sessions') {
      this.metrics?.quotaRejected('sessions_per_user');
      return ClarityError.quotaExceeded(
        `${this.limits.sessionsPerUser} modelling sessions per user; delete sessions to make room`,
        'SESSIONS_PER_USER',
      );
    }
    this.metrics?.quotaRejected('session_storage_bytes_per_user');
    return ClarityError.quotaExceeded(
      `${this.limits.storageBytesPerUser} bytes of session state per user (${refusal.usage.bytes} in use); delete sessions or shrink states to make room`,
      'SESSION_STORAGE_PER_USER_MB',
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
