import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { projectRoot } from '../../src/common/project-root.js';
import {
  createTestDatabase,
  dropTestDatabase,
  openDataSource,
  postgresUnavailableReason,
  testConfig,
} from '../support/db-test-database.js';

const run = promisify(execFile);
const unavailable = await postgresUnavailableReason();
if (unavailable) console.warn(`Skipping migration tests: ${unavailable}`);

async function userTables(ds: DataSource): Promise<string[]> {
  const rows = await ds.query<Array<{ table_name: string }>>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

describe('migrations', { skip: unavailable }, () => {
  let database: string;
  let ds: DataSource;

  before(async () => {
    database = await createTestDatabase('migrations');
    ds = await openDataSource(testConfig(database), { migrate: false });
  });
  after(async () => {
    if (ds?.isInitialized) await ds.destroy();
    if (database) await dropTestDatabase(database);
  });

  test('up from empty creates both tables, their DESC indexes, and matches the entities', async () => {
    assert.deepEqual(await userTables(ds), []);
    const applied = await ds.runMigrations({ transaction: 'each' });
    assert.ok(applied.length >= 1);
    assert.deepEqual(await userTables(ds), [
      'clarity_migrations',
      'idempotency_key',
      'model_change',
      'modelling_session',
    ]);

    const indexes = await ds.query<Array<{ indexname: string; indexdef: string }>>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
    );
    const byName = new Map(indexes.map((i) => [i.indexname, i.indexdef]));
    assert.match(byName.get('IDX_modelling_session_owner_updated_at') ?? '', /\(owner, updated_at DESC\)/);
    assert.match(byName.get('IDX_model_change_entity_uid_changed_at') ?? '', /\(entity_uid, changed_at DESC\)/);

    const columns = await ds.query<Array<{ column_name: string; data_type: string; is_nullable: string }>>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = 'modelling_session' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      columns.map((c) => `${c.column_name}:${c.data_type}:${c.is_nullable}`),
      [
        'id:uuid:NO',
        'owner:text:NO',
        'name:character varying:NO',
        'state:jsonb:NO',
        'version:integer:NO',
        'created_at:timestamp with time zone:NO',
        'updated_at:timestamp with time zone:NO',
        'state_bytes:integer:NO',
        'workflow:jsonb:YES',
        'workflow_bytes:integer:NO',
      ],
    );
    assert.deepEqual(await pendingSchemaChanges(ds), []);
  });

  test('every migration reverts down to an empty schema (only the migrations table), then up again', async () => {
    const count = ds.migrations.length;
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
    assert.deepEqual(await userTables(ds), ['clarity_migrations']);
    const left = await ds.query<unknown[]>('SELECT * FROM clarity_migrations');
    assert.equal(left.length, 0);
    const sequences = await ds.query<unknown[]>(
      `SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' AND sequence_name <> 'clarity_migrations_id_seq'`,
    );
    assert.deepEqual(sequences, []);

    await ds.runMigrations({ transaction: 'each' });
    assert.deepEqual(await userTables(ds), [
      'clarity_migrations',
      'idempotency_key',
      'model_change',
      'modelling_session',
    ]);
    assert.deepEqual(await pendingSchemaChanges(ds), []);
  });
});

// The npm scripts (migration:run/revert/generate) run scripts/typeorm.mjs on the
// real build in dist/ (npm run build).
const cliDataSource = join(projectRoot(), 'dist', 'src', 'database', 'data-source.cli.js');
const cliSkip = unavailable ?? (existsSync(cliDataSource) ? undefined : 'dist/ is not built (npm run build)');
if (!unavailable && cliSkip) console.warn(`Skipping migration CLI tests: ${cliSkip}`);

describe('migration CLI (scripts/typeorm.mjs)', { skip: cliSkip }, () => {
  let database: string;
  before(async () => {
    database = await createTestDatabase('migcli');
  });
  after(async () => {
    if (database) await dropTestDatabase(database);
  });

  const cli = (...args: string[]) =>
    run(process.execPath, [join(projectRoot(), 'scripts', 'typeorm.mjs'), ...args], {
      cwd: projectRoot(),
      env: {
        ...process.env,
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_USER: 'postgres',
        POSTGRES_DB: database,
        NODE_ENV: 'test',
      },
      timeout: 60_000,
    });

  test('generate (dry run) on an empty database shows the tables; run; check is clean; revert; run', async () => {
    const dry = await cli('migration:generate', 'Probe', '--dryrun');
    assert.match(dry.stdout, /CREATE TABLE "modelling_session"/);
    assert.match(dry.stdout, /CREATE TABLE "model_change"/);

    await cli('migration:run');
    const check = await cli('migration:generate', 'Probe', '--check');
    assert.match(check.stdout, /No changes in database schema were found/);

    const reverted = await cli('migration:revert');
    assert.match(reverted.stdout, /reverted successfully/);
    const show = await cli('migration:show');
    assert.match(show.stdout, /\[ \]/); // pending again
    await cli('migration:run');
    const shown = await cli('migration:show');
    assert.doesNotMatch(shown.stdout, /\[ \]/);
  });
});
