import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guided modelling workflows (spec §9) live in the caller's modelling session:
 * a column of their own rather than a key inside `state`, so that a client
 * replacing its `state` (clarity.session/update) cannot drop a workflow, and
 * with it the record of a submission sent to the Archivist. Writes of either
 * column go through the session's `version`. `workflow_bytes` is the size of the
 * workflow's JSON, counted with `state_bytes` in the per-user storage quota.
 */
export class AddSessionWorkflow1796400000000 implements MigrationInterface {
  name = 'AddSessionWorkflow1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "modelling_session" ADD "workflow" jsonb`);
    await queryRunner.query(`ALTER TABLE "modelling_session" ADD "workflow_bytes" integer NOT NULL DEFAULT 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "modelling_session" DROP COLUMN "workflow_bytes"`);
    await queryRunner.query(`ALTER TABLE "modelling_session" DROP COLUMN "workflow"`);
  }
}
