import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row of the change log (spec §8): written after every successful
 * update-definition / update-name / update-collection. Bigint columns come back
 * from pg as strings; ModelChangeRepository maps them to numbers.
 */
@Entity({ name: 'model_change' })
// Created by the migration as (entity_uid, changed_at DESC) for history reads.
@Index('IDX_model_change_entity_uid_changed_at', { synchronize: false })
export class ModelChangeEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'entity_uid', type: 'bigint' })
  entityUid!: string;

  /** The fact that was changed; null when a change is not tied to one fact. */
  @Column({ name: 'fact_uid', type: 'bigint', nullable: true })
  factUid!: string | null;

  /** What changed: e.g. `definition`, `name`, `collection`. */
  @Column({ type: 'varchar', length: 64 })
  field!: string;

  /** Any JSON value (a string for names/definitions, an object for collections). */
  @Column({ name: 'old_value', type: 'jsonb', nullable: true })
  oldValue!: unknown;

  @Column({ name: 'new_value', type: 'jsonb', nullable: true })
  newValue!: unknown;

  /** The JWT `sub` of the user who made the change. */
  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
