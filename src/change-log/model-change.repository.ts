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

  /** The entity's entries, newest first (ties broken by id, i.e. insertion order). */
  async listByEntity(entityUid: number, limit: number): Promise<ModelChangeRecord[]> {
    return guardDatabase(() =>
      this.changes.find({ where: { entityUid }, order: { changedAt: 'DESC', id: 'DESC' }, take: limit }),
    );
  }
}
