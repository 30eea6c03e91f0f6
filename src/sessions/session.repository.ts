import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { guardDatabase } from './database-errors.js';
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

interface SessionRow {
  id: string;
  owner: string;
  name: string;
  state?: SessionState;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_at_micros: string;
}

const COLUMNS = `id, owner, name, version, created_at, updated_at,
  (extract(epoch FROM updated_at) * 1000000)::bigint::text AS updated_at_micros`;
const COLUMNS_WITH_STATE = `${COLUMNS}, state`;

function toRecord(row: SessionRow): SessionRecord {
  const record: SessionRecord = {
    id: row.id,
    owner: row.owner,
    name: row.name,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedAtMicros: row.updated_at_micros,
  };
  if (row.state !== undefined) record.state = row.state;
  return record;
}

/**
 * SQL access to modelling_session. Every statement is scoped by owner, and every
 * write is a single autocommitted statement: once it resolves, it is durable.
 */
@Injectable()
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async rows(sql: string, params: unknown[]): Promise<SessionRow[]> {
    return guardDatabase(() => this.dataSource.query<SessionRow[]>(sql, params));
  }

  /** UPDATE/DELETE … RETURNING come back from TypeORM as [rows, affectedCount]. */
  private async returning(sql: string, params: unknown[]): Promise<SessionRow[]> {
    const result = await guardDatabase(() => this.dataSource.query<unknown>(sql, params));
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
      return result[0] as SessionRow[];
    }
    return result as SessionRow[];
  }

  async insert(session: { id: string; owner: string; name: string; state: SessionState }): Promise<SessionRecord> {
    const [row] = await this.rows(
      `INSERT INTO modelling_session (id, owner, name, state, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, 1, now(), now())
       RETURNING ${COLUMNS_WITH_STATE}`,
      [session.id, session.owner, session.name, JSON.stringify(session.state)],
    );
    return toRecord(row!);
  }

  async findOwned(owner: string, id: string): Promise<SessionRecord | undefined> {
    const [row] = await this.rows(`SELECT ${COLUMNS_WITH_STATE} FROM modelling_session WHERE id = $1 AND owner = $2`, [
      id,
      owner,
    ]);
    return row ? toRecord(row) : undefined;
  }

  /** The owner's sessions, newest first by (updated_at, id), starting after `after`. */
  async listOwned(
    owner: string,
    options: { limit: number; after?: SessionListPosition; includeState: boolean },
  ): Promise<SessionRecord[]> {
    const columns = options.includeState ? COLUMNS_WITH_STATE : COLUMNS;
    const params: unknown[] = [owner, options.limit];
    let where = 'owner = $1';
    if (options.after) {
      params.push(options.after.updatedAtMicros, options.after.id);
      where += ` AND (updated_at, id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid)`;
    }
    const rows = await this.rows(
      `SELECT ${columns} FROM modelling_session WHERE ${where}
       ORDER BY updated_at DESC, id DESC LIMIT $2`,
      params,
    );
    return rows.map(toRecord);
  }

  async countOwned(owner: string): Promise<number> {
    const rows = await guardDatabase(() =>
      this.dataSource.query<Array<{ count: string }>>(
        'SELECT count(*)::text AS count FROM modelling_session WHERE owner = $1',
        [owner],
      ),
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Applies the change only if the row is the owner's and still at `version`
   * (one atomic statement: of concurrent updates from the same version exactly
   * one matches). Undefined when nothing matched.
   */
  async updateIfVersion(
    owner: string,
    id: string,
    version: number,
    change: { name?: string; state?: SessionState },
  ): Promise<SessionRecord | undefined> {
    const [row] = await this.returning(
      `UPDATE modelling_session
       SET name = COALESCE($4, name),
           state = COALESCE($5::jsonb, state),
           version = version + 1,
           updated_at = greatest(now(), updated_at + interval '1 microsecond')
       WHERE id = $1 AND owner = $2 AND version = $3
       RETURNING ${COLUMNS_WITH_STATE}`,
      [id, owner, version, change.name ?? null, change.state === undefined ? null : JSON.stringify(change.state)],
    );
    return row ? toRecord(row) : undefined;
  }

  async deleteOwned(owner: string, id: string): Promise<boolean> {
    const rows = await this.returning('DELETE FROM modelling_session WHERE id = $1 AND owner = $2 RETURNING id', [
      id,
      owner,
    ]);
    return rows.length > 0;
  }
}
