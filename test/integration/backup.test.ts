import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { projectRoot } from '../../src/common/project-root.js';
import {
  buildServices,
  createTestDatabase,
  databaseExists,
  dropTestDatabase,
  openDataSource,
  PG_HOST,
  PG_PORT,
  PG_USER,
  postgresUnavailableReason,
  tableSnapshot,
  testConfig,
} from '../support/db-test-database.js';

const execFileAsync = promisify(execFile);
const unavailable = await postgresUnavailableReason();
if (unavailable) console.warn(`Skipping backup tests: ${unavailable}`);

const PASSWORD = 'never-print-this-8d3f';
const TABLES = ['modelling_session', 'model_change', 'clarity_migrations'];

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function script(name: string, args: string[], env: Record<string, string | undefined>): Promise<ScriptResult> {
  const cleanEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
  };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) cleanEnv[k] = v;
  try {
    const { stdout, stderr } = await execFileAsync('bash', [join(projectRoot(), 'scripts', name), ...args], {
      env: cleanEnv,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('backup-clarity.sh and restore-clarity.sh', { skip: unavailable }, () => {
  let database: string;
  let backupDir: string;
  let ds: DataSource | undefined;
  let env: Record<string, string>;

  before(async () => {
    database = await createTestDatabase('backup');
    backupDir = mkdtempSync(join(tmpdir(), 'clarity-backup-'));
    env = {
      POSTGRES_HOST: PG_HOST,
      POSTGRES_PORT: String(PG_PORT),
      POSTGRES_USER: PG_USER,
      POSTGRES_PASSWORD: PASSWORD, // ignored by trust auth; must never be printed
      POSTGRES_DB: database,
      BACKUP_DIR: backupDir,
    };
  });
  after(async () => {
    if (ds?.isInitialized) await ds.destroy();
    if (database) await dropTestDatabase(database);
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
  });

  test('refuses to run with a missing setting, naming it', async () => {
    const result = await script('backup-clarity.sh', [], { ...env, POSTGRES_DB: undefined, BACKUP_DIR: undefined });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing setting\(s\): POSTGRES_DB BACKUP_DIR/);
    const restore = await script('restore-clarity.sh', ['--yes', '/nonexistent.sql.gz'], {
      ...env,
      POSTGRES_HOST: undefined,
    });
    assert.equal(restore.code, 2);
    assert.match(restore.stderr, /POSTGRES_HOST/);
  });

  test('backup → drop database → restore: sessions and change log identical row by row; restore over an existing database too', async () => {
    ds = await openDataSource(testConfig(database));
    const { sessions, changeLog } = buildServices(ds);
    for (let i = 0; i < 5; i++) {
      const s = await sessions.create(`user-${i % 2}`, {
        name: `Session ${i} — ü 🚀`,
        state: { i, nested: { list: [i, 'x'] } },
      });
      if (i % 2 === 0) await sessions.update(`user-${i % 2}`, { id: s.id, name: `renamed ${i}`, version: 1 });
      await changeLog.record({
        entityUid: 1000 + i,
        factUid: 2000 + i,
        field: 'name',
        oldValue: `old ${i}`,
        newValue: { n: i },
        changedBy: `user-${i % 2}`,
      });
    }
    const before: Record<string, string[]> = {};
    for (const table of TABLES) before[table] = await tableSnapshot(ds, table);
    assert.equal(before.modelling_session!.length, 5);
    assert.equal(before.model_change!.length, 5);

    // Retention: a 40-day-old backup goes, a 10-day-old one stays.
    const old = join(backupDir, 'clarity_backup_20000101_000000.sql.gz');
    const recent = join(backupDir, 'clarity_backup_20000102_000000.sql.gz');
    writeFileSync(old, '');
    writeFileSync(recent, '');
    const day = 24 * 3600;
    const now = Date.now() / 1000;
    utimesSync(old, now - 40 * day, now - 40 * day);
    utimesSync(recent, now - 10 * day, now - 10 * day);

    const backup = await script('backup-clarity.sh', [], env);
    assert.equal(backup.code, 0, backup.stderr);
    assert.doesNotMatch(backup.stdout + backup.stderr, new RegExp(PASSWORD));
    const match = /Backup completed: (\S+clarity_backup_\d{8}_\d{6}(?:_\d+)?\.sql\.gz)/.exec(backup.stdout);
    assert.ok(match, backup.stdout);
    const dump = match[1]!;
    const files = readdirSync(backupDir).sort();
    assert.ok(!files.includes('clarity_backup_20000101_000000.sql.gz'), 'the 40-day-old backup was not deleted');
    assert.ok(files.includes('clarity_backup_20000102_000000.sql.gz'), 'the 10-day-old backup was deleted');
    assert.ok(!files.some((f) => f.endsWith('.partial')));

    await ds.destroy();
    await dropTestDatabase(database);
    assert.equal(await databaseExists(database), false);

    const unconfirmed = await script('restore-clarity.sh', [dump], env);
    assert.equal(unconfirmed.code, 3);
    assert.match(unconfirmed.stderr, /--yes/);
    assert.equal(await databaseExists(database), false);

    const restored = await script('restore-clarity.sh', ['--yes', dump], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.doesNotMatch(restored.stdout + restored.stderr, new RegExp(PASSWORD));

    ds = await openDataSource(testConfig(database), { migrate: false });
    for (const table of TABLES) assert.deepEqual(await tableSnapshot(ds, table), before[table], table);
    assert.deepEqual(await ds.runMigrations(), [], 'the migration history was restored too');
    const services = buildServices(ds);
    const next = await services.changeLog.record({
      entityUid: 1,
      field: 'name',
      oldValue: null,
      newValue: 'x',
      changedBy: 'u',
    });
    assert.ok(next.id > 5, 'the bigserial sequence continues after the restored rows');

    // Restore over an existing database whose data changed since: back to the backup, in one transaction.
    const first = (await services.sessions.list('user-0')).items[0]!;
    await services.sessions.delete('user-0', first.id);
    await ds.destroy();
    const again = await script('restore-clarity.sh', ['--yes', dump], env);
    assert.equal(again.code, 0, again.stderr);
    ds = await openDataSource(testConfig(database), { migrate: false });
    for (const table of TABLES) assert.deepEqual(await tableSnapshot(ds, table), before[table], table);
  });

  test('a corrupt backup file is refused before anything is touched', async () => {
    const bad = join(backupDir, 'clarity_backup_broken.sql.gz');
    writeFileSync(bad, 'not gzip');
    const result = await script('restore-clarity.sh', ['--yes', bad], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /not a valid gzip file/);
  });
});
