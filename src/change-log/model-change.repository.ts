import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { bigintAsNumber } from '../database/bigint-number.transformer.js';
import { guardDatabase } from '../database/database-errors.js';
import { ModelChangeEntity } from './model-change.entity.js';

/** A change-log entry (bigint columns as numbers: uids are safe integers). */
export type ModelChangeRecord = ModelChangeEntity;

/** Access to model_change (append-only). */
@Injectable()
export class ModelChangeRepository {
  constructor(@InjectRepository(ModelChangeEntity) private readonly changes: Repository<ModelChangeEntity>) {}

  /** One INSERT … RETURNING id, changed_at; the entry comes back complete. */
  async insert(change: Omit<ModelChangeRecord, 'id' | 'changedAt'>): Promise<ModelChangeRecord> {
    const entry = this.changes.create(change);
    await guardDatabase(() => this.changes.insert(entry));
    // TypeORM merges the returned id and changed_at into `entry` as pg gives them, without the
    // columns' transformers (PostgresDriver.createGeneratedMap): the bigint id arrives as text.
    entry.id = bigintAsNumber.from(entry.id) as number;
    return entry;
  }

  /**
   * Inserts a change with the time it happened, unless the same change (entity, fact,
   * field, author, time) is already there: replaying an outbox entry twice (after a
   * crash between the insert and the outbox's bookkeeping) writes one row.
   * True when a row was inserted.
   */
  async insertOnce(change: Omit<ModelChangeRecord, 'id'>): Promise<boolean> {
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    const rows: unknown = await this.changes.query(
      `INSERT INTO "model_change" ("entity_uid", "fact_uid", "field", "old_value", "new_value", "changed_by", "changed_at")
       SELECT $1::bigint, $2::bigint, $3::varchar, $4::jsonb, $5::jsonb, $6::text, $7::timestamptz
       WHERE NOT EXISTS (
         SELECT 1 FROM "model_change"
         WHERE "entity_uid" = $1::bigint AND "fact_uid" IS NOT DISTINCT FROM $2::bigint AND "field" = $3::varchar
           AND "changed_by" = $6::text AND "changed_at" = $7::timestamptz
       )
       RETURNING "id"`,
      [
        change.entityUid,
        change.factUid,
        change.field,
        json(change.oldValue),
        json(change.newValue),
        change.changedBy,
        change.changedAt,
      ],
    );
    return Array.isArray(rows) && rows.length > 0;
  }

  /** Whether the log holds a row of `field` for this entity and fact (any author, any time). */
  async has(entityUid: number, factUid: number | null, field: string): Promise<boolean> {
    return guardDatabase(async () => {
      const rows: unknown = await this.changes.query(
        `SELECT 1 FROM "model_change"
         WHERE "entity_uid" = $1::bigint AND "fact_uid" IS NOT DISTINCT FROM $2::bigint AND "field" = $3::varchar
         LIMIT 1`,
        [entityUid, factUid, field],
      );
      return Array.isArray(rows) && rows.length > 0;
    });
  }

  /** The entity's entries, newest first (ties broken by id, i.e. insertion order). */
  async listByEntity(entityUid: number, limit: number): Promise<ModelChangeRecord[]> {
    return guardDatabase(() =>
      this.changes.find({ where: { entityUid }, order: { changedAt: 'DESC', id: 'DESC' }, take: limit }),
    );
  }
}
