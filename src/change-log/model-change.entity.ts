import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/bigint-number.transformer.js';
import type { JsonValue } from './change-record.js';

/**
 * One row of the change log (spec §8): written after every successful
 * update-definition / update-name / update-collection. Bigint columns are read
 * as numbers (uids and ids are safe integers).
 */
@Entity({ name: 'model_change' })
// Created by the migration as (entity_uid, changed_at DESC) for history reads.
@Index('IDX_model_change_entity_uid_changed_at', { synchronize: false })
export class ModelChangeEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintAsNumber })
  id!: number;

  @Column({ name: 'entity_uid', type: 'bigint', transformer: bigintAsNumber })
  entityUid!: number;

  /** The fact that was changed; null when a change is not tied to one fact. */
  @Column({ name: 'fact_uid', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  factUid!: number | null;

  /** What changed: e.g. `definition`, `name`, `collection`. */
  @Column({ type: 'varchar', length: 64 })
  field!: string;

  /** Any JSON value (a string for names/definitions, an object for collections); null when none. */
  @Column({ name: 'old_value', type: 'jsonb', nullable: true })
  oldValue!: JsonValue;

  @Column({ name: 'new_value', type: 'jsonb', nullable: true })
  newValue!: JsonValue;

  /** The JWT `sub` of the user who made the change. */
  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
