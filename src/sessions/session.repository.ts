import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { guardDatabase } from '../database/database-errors.js';
import { ModellingSessionEntity } from './modelling-session.entity.js';
import type { SessionState } from './session.schemas.js';

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

  async insert(session: { id: string; owner: string; name: string; state: SessionState }): Promise<SessionRecord> {
    const result = await guardDatabase(() =>
      this.sessions
        .createQueryBuilder()
        .insert()
        .values({ ...session, version: 1 }) // created_at and updated_at: DEFAULT now()
        .returning(RETURNING_RECORD)
        .updateEntity(false)
        .execute(),
    );
    return (result.raw as SessionRecord[])[0]!;
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
    change: { name?: string; state?: SessionState },
  ): Promise<SessionRecord | undefined> {
    const set: QueryDeepPartialEntity<ModellingSessionEntity> = {
      version: () => 'version + 1',
      // Strictly increasing, so the list order (updated_at, id) moves the session to the front.
      updatedAt: () => "greatest(now(), updated_at + interval '1 microsecond')",
    };
    if (change.name !== undefined) set.name = change.name;
    if (change.state !== undefined) set.state = change.state;
    const result = await guardDatabase(() =>
      this.sessions
        .createQueryBuilder()
        .update()
        .set(set)
        .where({ id, owner, version })
        .returning(RETURNING_RECORD)
        .updateEntity(false)
        .execute(),
    );
    return (result.raw as SessionRecord[])[0];
  }

  async deleteOwned(owner: string, id: string): Promise<boolean> {
    const result = await guardDatabase(() => this.sessions.delete({ id, owner }));
    return (result.affected ?? 0) > 0;
  }
}
