import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { guardDatabase } from '../database/database-errors.js';
import { ModellingSessionEntity } from './modelling-session.entity.js';
import type { SessionState } from './session.schemas.js';
import { serializedBytes } from './json-state.js';

/** A modelling_session row as the service uses it. */
export interface SessionRecord {
  id: string;
  owner: string;
  name: string;
  /** Absent when a list was asked without states. */
  state?: SessionState;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** updated_at in microseconds since the epoch (exact; a Date keeps only ms): the list cursor key. */
  updatedAtMicros: string;
}

/** A session's workflow column with the version it was read at. */
export interface SessionWorkflowRecord {
  id: string;
  version: number;
  workflow: object | null;
}

/** What one owner stores: sessions and UTF-8 bytes of their states. */
export interface SessionUsage {
  sessions: number;
  bytes: number;
}

/** Limits a write is checked against (SESSIONS_PER_USER, SESSION_STORAGE_PER_USER_MB in bytes). */
export interface SessionQuotaLimits {
  sessionsPerUser: number;
  storageBytesPerUser: number;
}

/** A write refused because it would take the owner over a quota; nothing was written. */
export interface QuotaRefusal {
  refused: 'sessions' | 'storage';
  usage: SessionUsage;
}

export function isQuotaRefusal(value: unknown): value is QuotaRefusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

/** Position after which a list page starts: (updated_at, id) of the last row seen. */
export interface SessionListPosition {
  updatedAtMicros: string;
  id: string;
}

/** updated_at in whole microseconds, as text: exact, where a JS Date would round to milliseconds. */
const micros = (updatedAt: string) => `(extract(epoch FROM ${updatedAt}) * 1000000)::bigint::text`;

/**
 * The columns of a SessionRecord, each under its field name, for RETURNING: the
 * rows pg returns are SessionRecords as they are (uuid and text as strings, int
 * as number, timestamptz as Date, jsonb parsed).
 */
const RETURNING_RECORD = `id, owner, name, state, version, created_at AS "createdAt", updated_at AS "updatedAt",
  ${micros('updated_at')} AS "updatedAtMicros"`;

/**
 * Access to modelling_session through TypeORM's query builder. Every statement
 * is scoped by owner, and every write is a single autocommitted statement: once
 * it resolves, it is durable.
 */
@Injectable()
export class SessionRepository {
  constructor(
    @InjectRepository(ModellingSessionEntity) private readonly sessions: Repository<ModellingSessionEntity>,
  ) {}

  /** SELECT of SessionRecords (same shape as RETURNING_RECORD), `state` only when asked. */
  private selectRecords(includeState: boolean): SelectQueryBuilder<ModellingSessionEntity> {
    const query = this.sessions
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .addSelect('s.owner', 'owner')
      .addSelect('s.name', 'name')
      .addSelect('s.version', 'version')
      .addSelect('s.createdAt', 'createdAt')
      .addSelect('s.updatedAt', 'updatedAt')
      .addSelect(micros('s.updated_at'), 'updatedAtMicros');
    return includeState ? query.addSelect('s.state', 'state') : query;
  }

  /** Inserts without a quota check; `stateBytes` defaults to the state's serialized size. */
  async insert(session: {
    id: string;
    owner: string;
    name: string;
    state: SessionState;
    stateBytes?: number;
  }): Promise<SessionRecord> {
    const stateBytes = session.stateBytes ?? serializedBytes(session.state);
    return guardDatabase(() => this.insertWith(this.sessions, { ...session, stateBytes }));
  }

  private async insertWith(
    sessions: Repository<ModellingSessionEntity>,
    session: { id: string; owner: string; name: string; state: SessionState; stateBytes: number },
  ): Promise<SessionRecord> {
    const result = await sessions
      .createQueryBuilder()
      .insert()
      .values({ ...session, version: 1 }) // created_at and updated_at: DEFAULT now()
      .returning(RETURNING_RECORD)
      .updateEntity(false)
      .execute();
    return (result.raw as SessionRecord[])[0]!;
  }

  /**
   * Inserts the session unless the owner would then have more than
   * `sessionsPerUser` sessions or `storageBytesPerUser` bytes of state. One
   * transaction holding a per-owner advisory lock: concurrent writes of one owner,
   * from any replica, are counted one after the other, so none can overshoot.
   */
  async insertWithinQuota(
    session: { id: string; owner: string; name: string; state: SessionState; stateBytes: number },
    limits: SessionQuotaLimits,
  ): Promise<SessionRecord | QuotaRefusal> {
    return guardDatabase(() =>
      this.sessions.manager.transaction(async (manager) => {
        const usage = await lockAndMeasure(manager, session.owner);
        if (usage.sessions >= limits.sessionsPerUser) return { refused: 'sessions', usage };
        if (usage.bytes + session.stateBytes > limits.storageBytesPerUser) return { refused: 'storage', usage };
        return this.insertWith(manager.getRepository(ModellingSessionEntity), session);
      }),
    );
  }

  /** Sessions and state bytes of the owner. */
  async usage(owner: string): Promise<SessionUsage> {
    return guardDatabase(() => measure(this.sessions.manager, owner));
  }

  async findOwned(owner: string, id: string): Promise<SessionRecord | undefined> {
    return guardDatabase(() =>
      this.selectRecords(true).where('s.id = :id AND s.owner = :owner', { id, owner }).getRawOne<SessionRecord>(),
    );
  }

  /** The owner's sessions, newest first by (updated_at, id), starting after `after` (keyset pagination). */
  async listOwned(
    owner: string,
    options: { limit: number; after?: SessionListPosition; includeState: boolean },
  ): Promise<SessionRecord[]> {
    const query = this.selectRecords(options.includeState).where('s.owner = :owner', { owner });
    if (options.after) {
      query.andWhere(
        `(s.updatedAt, s.id) < ('epoch'::timestamptz + CAST(:afterMicros AS bigint) * interval '1 microsecond', CAST(:afterId AS uuid))`,
        { afterMicros: options.after.updatedAtMicros, afterId: options.after.id },
      );
    }
    return guardDatabase(() =>
      query.orderBy('s.updatedAt', 'DESC').addOrderBy('s.id', 'DESC').limit(options.limit).getRawMany<SessionRecord>(),
    );
  }

  async countOwned(owner: string): Promise<number> {
    return guardDatabase(() => this.sessions.countBy({ owner }));
  }

  /**
   * Applies the change only if the row is the owner's and still at `version`:
   * one atomic `UPDATE … WHERE id AND owner AND version = :v RETURNING …` (of
   * concurrent updates from the same version exactly one matches). Undefined
   * when nothing matched.
   */
  async updateIfVersion(
    owner: string,
    id: string,
    version: number,
    change: { name?: string; state?: SessionState; stateBytes?: number },
  ): Promise<SessionRecord | undefined> {
    return guardDatabase(() => this.updateWith(this.sessions, owner, id, version, change));
  }

  /**
   * updateIfVersion with a new state, unless the owner's states would then take
   * more than `storageBytesPerUser` (a state that does not grow always passes).
   * Locked and counted like insertWithinQuota.
   */
  async updateIfVersionWithinQuota(
    owner: string,
    id: string,
    version: number,
    change: { name?: string; state: SessionState; stateBytes: number },
    limits: SessionQuotaLimits,
  ): Promise<SessionRecord | QuotaRefusal | undefined> {
    return this.withinStorageQuota(owner, id, 'state_bytes', change.stateBytes, limits, (manager) =>
      this.updateWith(manager.getRepository(ModellingSessionEntity), owner, id, version, change),
    );
  }

  /**
   * Runs `write` in a transaction under the owner's quota lock, unless the column's
   * new size would take the owner's stored bytes over `storageBytesPerUser` (a value
   * that does not grow always passes).
   */
  private withinStorageQuota<T>(
    owner: string,
    id: string,
    column: 'state_bytes' | 'workflow_bytes',
    newBytes: number,
    limits: SessionQuotaLimits,
    write: (manager: EntityManager) => Promise<T>,
  ): Promise<T | QuotaRefusal> {
    return guardDatabase(() =>
      this.sessions.manager.transaction(async (manager) => {
        const usage = await lockAndMeasure(manager, owner);
        const rows = await manager.query<Array<{ bytes: number }>>(
          `SELECT ${column} AS bytes FROM modelling_session WHERE id = $1 AND owner = $2`,
          [id, owner],
        );
        const current = rows[0]?.bytes;
        if (
          current !== undefined &&
          newBytes > current &&
          usage.bytes - current + newBytes > limits.storageBytesPerUser
        ) {
          return { refused: 'storage', usage };
        }
        return write(manager);
      }),
    );
  }

  private async updateWith(
    sessions: Repository<ModellingSessionEntity>,
    owner: string,
    id: string,
    version: number,
    change: { name?: string; state?: SessionState; stateBytes?: number },
  ): Promise<SessionRecord | undefined> {
    const set: QueryDeepPartialEntity<ModellingSessionEntity> = {
      version: () => 'version + 1',
      // Strictly increasing, so the list order (updated_at, id) moves the session to the front.
      updatedAt: () => "greatest(now(), updated_at + interval '1 microsecond')",
    };
    if (change.name !== undefined) set.name = change.name;
    if (change.state !== undefined) {
      set.state = change.state;
      set.stateBytes = change.stateBytes ?? serializedBytes(change.state);
    }
    const result = await sessions
      .createQueryBuilder()
      .update()
      .set(set)
      .where({ id, owner, version })
      .returning(RETURNING_RECORD)
      .updateEntity(false)
      .execute();
    return (result.raw as SessionRecord[])[0];
  }

  /** The session's workflow column and version (undefined: no such session of this owner). */
  async findWorkflow(owner: string, id: string): Promise<SessionWorkflowRecord | undefined> {
    return guardDatabase(() =>
      this.sessions
        .createQueryBuilder('s')
        .select('s.id', 'id')
        .addSelect('s.version', 'version')
        .addSelect('s.workflow', 'workflow')
        .where('s.id = :id AND s.owner = :owner', { id, owner })
        .getRawOne<SessionWorkflowRecord>(),
    );
  }

  /**
   * Writes the workflow column if the session is the owner's and still at
   * `version` (then version + 1), like updateIfVersion; refused when the owner's
   * stored bytes would then exceed `storageBytesPerUser` (a workflow that does not
   * grow always passes). Undefined when nothing matched (stale version or no session).
   */
  async updateWorkflowIfVersion(
    owner: string,
    id: string,
    version: number,
    workflow: object,
    workflowBytes: number,
    limits: SessionQuotaLimits,
  ): Promise<SessionWorkflowRecord | QuotaRefusal | undefined> {
    return this.withinStorageQuota(owner, id, 'workflow_bytes', workflowBytes, limits, async (manager) => {
      const result = await manager
        .getRepository(ModellingSessionEntity)
        .createQueryBuilder()
        .update()
        .set({
          workflow,
          workflowBytes,
          version: () => 'version + 1',
          updatedAt: () => "greatest(now(), updated_at + interval '1 microsecond')",
        })
        .where({ id, owner, version })
        .returning('id, version, workflow')
        .updateEntity(false)
        .execute();
      return (result.raw as SessionWorkflowRecord[])[0];
    });
  }

  async deleteOwned(owner: string, id: string): Promise<boolean> {
    const result = await guardDatabase(() => this.sessions.delete({ id, owner }));
    return (result.affected ?? 0) > 0;
  }
}

/** Sessions and state bytes of `owner` (one index range of the owner's rows). */
async function measure(manager: EntityManager, owner: string): Promise<SessionUsage> {
  const rows = await manager.query<Array<{ sessions: number; bytes: string }>>(
    `SELECT count(*)::int AS sessions, coalesce(sum(state_bytes + workflow_bytes), 0)::bigint::text AS bytes
     FROM modelling_session WHERE owner = $1`,
    [owner],
  );
  return { sessions: rows[0]?.sessions ?? 0, bytes: Number(rows[0]?.bytes ?? 0) };
}

/**
 * Takes the owner's transaction-scoped advisory lock, then measures: writes of one
 * owner are serialized (other owners are not), and each sees the ones before it.
 */
async function lockAndMeasure(manager: EntityManager, owner: string): Promise<SessionUsage> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`clarity.session-quota:${owner}`]);
  return measure(manager, owner);
}
