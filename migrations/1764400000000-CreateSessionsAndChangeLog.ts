import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clarity's first schema (spec §8): modelling sessions and the model change log.
 * Columns match ModellingSessionEntity and ModelChangeEntity (a schema diff after
 * this migration is empty); the two DESC indexes are declared `synchronize: false` there.
 */
export class CreateSessionsAndChangeLog1764400000000 implements MigrationInterface {
  name = 'CreateSessionsAndChangeLog1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "modelling_session" (
        "id" uuid NOT NULL,
        "owner" text NOT NULL,
        "name" character varying(255) NOT NULL,
        "state" jsonb NOT NULL DEFAULT '{}',
        "version" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_6f9a45df4068a68cb096f901e94" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_modelling_session_owner_updated_at" ON "modelling_session" ("owner", "updated_at" DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE "model_change" (
        "id" BIGSERIAL NOT NULL,
        "entity_uid" bigint NOT NULL,
        "fact_uid" bigint,
        "field" character varying(64) NOT NULL,
        "old_value" jsonb,
        "new_value" jsonb,
        "changed_by" text NOT NULL,
        "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_323a165beb31d561fae64d2fc36" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_model_change_entity_uid_changed_at" ON "model_change" ("entity_uid", "changed_at" DESC)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_model_change_entity_uid_changed_at"`);
    await queryRunner.query(`DROP TABLE "model_change"`);
    await queryRunner.query(`DROP INDEX "IDX_modelling_session_owner_updated_at"`);
    await queryRunner.query(`DROP TABLE "modelling_session"`);
  }
}
