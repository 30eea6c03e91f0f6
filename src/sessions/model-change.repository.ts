import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { guardDatabase } from './database-errors.js';

/** A change-log entry; bigint columns mapped to numbers (uids are safe integers). */
export interface ModelChangeRecord {
  id: number;
  entityUid: number;
  factUid: number | null;
  field: string;
  oldValue: unknown;
  newValue: unknown;
  changedBy: string;
  changedAt: Date;
}

interface ModelChangeRow {
  id: string;
  entity_uid: string;
  fact_uid: string | null;
  field: string;
  old_value: unknown;
  new_value: unknown;
  changed_by: string;
  changed_at: Date;
}

const COLUMNS = 'id, entity_uid, fact_uid, field, old_value, new_value, changed_by, changed_at';

/** pg returns bigint as a string: exact for every safe integer. */
function toNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${value} is not a safe integer`);
  return n;
}

function toRecord(row: ModelChangeRow): ModelChangeRecord {
  return {
    id: toNumber(row.id),
    entityUid: toNumber(row.entity_uid),
    factUid: row.fact_uid === null ? null : toNumber(row.fact_uid),
    field: row.field,
    oldValue: row.old_value,
    newValue: row.new_value,
    changedBy: row.changed_by,
    changedAt: row.changed_at,
  };
}

/** JSON for a jsonb parameter; null/undefined are stored as SQL NULL. */
function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** SQL access to model_change (append-only). */
@Injectable()
export class ModelChangeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(change: Omit<ModelChangeRecord, 'id' | 'changedAt'>): Promise<ModelChangeRecord> {
    const rows = await guardDatabase(() =>
      this.dataSource.query<ModelChangeRow[]>(
        `INSERT INTO model_change (entity_uid, fact_uid, field, old_value, new_value, changed_by, changed_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, now())
         RETURNING ${COLUMNS}`,
        [
          change.entityUid,
          change.factUid,
          change.field,
          jsonParam(change.oldValue),
          jsonParam(change.newValue),
          change.changedBy,
        ],
      ),
    );
    return toRecord(rows[0]!);
  }

  /** The entity's entries, newest first (ties broken by id, i.e. insertion order). */
  async listByEntity(entityUid: number, limit: number): Promise<ModelChangeRecord[]> {
    const rows = await guardDatabase(() =>
      this.dataSource.query<ModelChangeRow[]>(
        `SELECT ${COLUMNS} FROM model_change WHERE entity_uid = $1
         ORDER BY changed_at DESC, id DESC LIMIT $2`,
        [entityUid, limit],
      ),
    );
    return rows.map(toRecord);
  }
}
