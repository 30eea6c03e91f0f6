import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-user session quotas (spec §3 "Quotas"): each session remembers the size of
 * its state (UTF-8 bytes of its JSON, as the service measures it), so the bytes a
 * user stores are one cheap sum over the user's rows instead of re-serializing
 * every state (measured on 1,000 sessions of ~96 KB: count + sum(state_bytes) 3 ms,
 * sum(octet_length(state::text)) 200 ms; pg_column_size is cheap but counts the
 * compressed size, 1.2 MB for those 96 MB). Existing rows are measured from their
 * jsonb text.
 */
export class AddSessionStateBytes1796300000000 implements MigrationInterface {
  name = 'AddSessionStateBytes1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "modelling_session" ADD "state_bytes" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`UPDATE "modelling_session" SET "state_bytes" = octet_length("state"::text)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "modelling_session" DROP COLUMN "state_bytes"`);
  }
}
