import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The table of the platform's previous Clarity, and where its rows are kept (spec §8). */
const LEGACY_TABLE = 'modelling_session';
const LEGACY_KEPT_AS = 'modelling_session_legacy';

async function columnsOf(queryRunner: QueryRunner, table: string): Promise<Set<string> | undefined> {
  const rows = (await queryRunner.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  )) as Array<{ column_name: string }>;
  return rows.length === 0 ? undefined : new Set(rows.map((r) => r.column_name));
}

/**
 * Upgrade from the platform's previous service (spec §8). That service created,
 * with TypeORM `synchronize`, `modelling_session (uid integer primary key, state
 * jsonb)` in the same database, so Clarity's CreateSessionsAndChangeLog could not
 * create its own `modelling_session`. This migration runs first (its timestamp is
 * older; TypeORM 1.x also runs it on a database where the later one already ran,
 * where it finds nothing to do): a `modelling_session` of the legacy shape (a
 * `uid` column and no `owner`) is renamed, with every row, its primary key and any
 * sequence, to `modelling_session_legacy`. Nothing is changed in it.
 *
 * down() renames it back. On an upgraded legacy database the migrations ran in
 * the order KeepLegacyModellingSession, CreateSessionsAndChangeLog, so it takes
 * two `migration:revert`s (the first drops Clarity's tables, the second restores
 * the legacy table with its rows).
 */
export class KeepLegacyModellingSession1764300000000 implements MigrationInterface {
  name = 'KeepLegacyModellingSession1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const columns = await columnsOf(queryRunner, LEGACY_TABLE);
    if (columns === undefined) return;
    if (!columns.has('uid') || columns.has('owner')) {
      if (columns.has('owner') && columns.has('id')) return; // Clarity's own table: nothing to do here
      throw new Error(
        `Table ${LEGACY_TABLE} exists with unexpected columns (${[...columns].join(', ')}): neither the previous service's nor Clarity's; move it away before starting Clarity`,
      );
    }
    if ((await columnsOf(queryRunner, LEGACY_KEPT_AS)) !== undefined) {
      throw new Error(
        `Both ${LEGACY_TABLE} (legacy shape) and ${LEGACY_KEPT_AS} exist: keep one of them before starting Clarity`,
      );
    }
    const [{ count }] = (await queryRunner.query(`SELECT count(*)::text AS count FROM "${LEGACY_TABLE}"`)) as Array<{
      count: string;
    }>;
    await queryRunner.query(`ALTER TABLE "${LEGACY_TABLE}" RENAME TO "${LEGACY_KEPT_AS}"`);
    queryRunner.connection.logger.logMigration(
      `Legacy table ${LEGACY_TABLE} (${count} rows) kept as ${LEGACY_KEPT_AS}`,
      queryRunner,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    if ((await columnsOf(queryRunner, LEGACY_KEPT_AS)) === undefined) return;
    if ((await columnsOf(queryRunner, LEGACY_TABLE)) !== undefined) {
      throw new Error(
        `Cannot restore ${LEGACY_KEPT_AS} as ${LEGACY_TABLE}: ${LEGACY_TABLE} exists (revert CreateSessionsAndChangeLog first)`,
      );
    }
    await queryRunner.query(`ALTER TABLE "${LEGACY_KEPT_AS}" RENAME TO "${LEGACY_TABLE}"`);
    queryRunner.connection.logger.logMigration(
      `Legacy table ${LEGACY_KEPT_AS} restored as ${LEGACY_TABLE}`,
      queryRunner,
    );
  }
}
