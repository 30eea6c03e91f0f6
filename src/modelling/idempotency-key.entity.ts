import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One idempotency key of a creating operation (spec §3 `clarity.model/create`):
 * scoped to its owner (the JWT `sub`), `pending` while the operation runs, then
 * `done` with the first result, which a repeat of the key within 24 h returns.
 * Kept in PostgreSQL so it holds across replicas and restarts; the primary key
 * makes concurrent duplicates meet at one row.
 */
@Entity({ name: 'idempotency_key' })
@Index('IDX_idempotency_key_created_at', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_idempotency_key_owner_key' })
  owner!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_idempotency_key_owner_key' })
  key!: string;

  /** e.g. `model/create` */
  @Column({ type: 'varchar', length: 64 })
  operation!: string;

  /** Fingerprint of the request's parameters: the same key with other parameters is refused. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  /** `pending` or `done`. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'jsonb', nullable: true })
  result!: object | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
