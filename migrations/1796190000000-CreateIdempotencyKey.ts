import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of creating operations (`clarity.model/create`): one row per
 * (owner, key), matching IdempotencyKeyEntity; the index serves the 24-hour expiry.
 */
export class CreateIdempotencyKey1796190000000 implements MigrationInterface {
  name = 'CreateIdempotencyKey1796190000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "idempotency_key" (
        "owner" text NOT NULL,
        "key" uuid NOT NULL,
        "operation" character varying(64) NOT NULL,
        "request_hash" character varying(64) NOT NULL,
        "status" character varying(16) NOT NULL,
        "result" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_idempotency_key_owner_key" PRIMARY KEY ("owner", "key")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_key_created_at" ON "idempotency_key" ("created_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_idempotency_key_created_at"`);
    await queryRunner.query(`DROP TABLE "idempotency_key"`);
  }
}
