import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { projectRoot } from '../../src/common/project-root.js';
import {
  adminClient,
  createTestDatabase,
  dropTestDatabase,
  PG_HOST,
  PG_PORT,
  PG_USER,
  postgresUnavailableReason,
} from '../support/db-test-database.js';
import { mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { connect, request } from '../support/socket-client.js';

/**
 * Upgrade from the platform's previous Clarity (spec §8): a database holding its
 * `modelling_session (uid integer primary key, state jsonb)` (created by TypeORM
 * `synchronize`) starts Clarity, keeps every row as `modelling_session_legacy`, says so
 * in the log, and `migration:revert` (once per Clarity migration, the legacy step last) gives the
 * old table back with its rows.
 * The SQL that converts the kept rows into sessions (docs/upgrading-from-previous-clarity.md)
 * is run here as documented.
 */
const run = promisify(execFile);
const unavailable = await postgresUnavailableReason();
const dist = join(projectRoot(), 'dist', 'src', 'database', 'data-source.cli.js');
const skip = unavailable ?? (existsSync(dist) ? undefined : 'dist/ is not built (npm run build)');
if (skip) console.warn(`Skipping the legacy upgrade tests: ${skip}`);

const LEGACY_ROWS: Array<[number, unknown]> = [
  [1, { uids: [730044, '160170', 987654321], layout: { zoom: 2 } }],
  [2, { note: 'ünïcödé "quoted"', nested: [1, { a: null }] }],
  [3, null],
  [17, [1, 2, 3]],
];

/** The documented conversion (docs/upgrading-from-previous-clarity.md), for owner `$1`. */
const CONVERT_SQL = `
INSERT INTO modelling_session (id, owner, name, state, version)
SELECT md5('clarity-legacy-session:' || uid)::uuid, $1, 'legacy ' || uid,
       CASE WHEN jsonb_typeof(state) = 'object' THEN state
            WHEN state IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('legacy', state) END,
       1
FROM modelling_session_legacy
ON CONFLICT (id) DO NOTHING`;

async function withDb<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = adminClient(database);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function tables(database: string): Promise<string[]> {
  return withDb(database, async (c) =>
    (
      await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).rows.map((r) => r.table_name),
  );
}

/** Every row of a table, its columns and its primary key, as text: for exact comparison. */
async function tableImage(database: string, table: string): Promise<string[]> {
  return withDb(database, async (c) => {
    const rows = await c.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table}" t ORDER BY t.uid`);
    const columns = await c.query<{ c: string }>(
      `SELECT column_name || ':' || data_type || ':' || is_nullable AS c FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    const pk = await c.query<{ c: string }>(
      `SELECT conname || ' ' || pg_get_constraintdef(oid) AS c FROM pg_constraint WHERE conrelid = $1::regclass`,
      [`"${table}"`],
    );
    return [...columns.rows.map((r) => r.c), ...pk.rows.map((r) => r.c), ...rows.rows.map((r) => r.row)];
  });
}

describe('upgrade from the previous service’s database', { skip }, () => {
  let database: string;
  let clarity: ClarityProcess | undefined;
  let original: string[];
  const env = () => ({
    POSTGRES_HOST: PG_HOST,
    POSTGRES_PORT: String(PG_PORT),
    POSTGRES_USER: PG_USER,
    POSTGRES_DB: database,
  });

  before(async () => {
    database = await createTestDatabase('legacy');
    // What TypeORM synchronize made of the previous service's entity.
    await withDb(database, async (c) => {
      await c.query(
        `CREATE TABLE "modelling_session" ("uid" integer NOT NULL, "state" jsonb, CONSTRAINT "PK_8b6e1e5b3f0c9a2d4e7f6a1b2c3" PRIMARY KEY ("uid"))`,
      );
      for (const [uid, state] of LEGACY_ROWS) {
        await c.query(`INSERT INTO "modelling_session" (uid, state) VALUES ($1, $2)`, [
          uid,
          state === null ? null : JSON.stringify(state),
        ]);
      }
    });
    original = await tableImage(database, 'modelling_session');
    assert.equal(original.filter((line) => line.startsWith('{')).length, LEGACY_ROWS.length);
  });

  after(async () => {
    if (clarity) await clarity.stop();
    if (database) await dropTestDatabase(database);
  });

  /** A new Clarity on the legacy database; one a failed test left running is stopped first. */
  async function startClarity(): Promise<ClarityProcess> {
    if (clarity && clarity.child.exitCode === null) await clarity.stop();
    clarity = await startClarityProcess(env());
    return clarity;
  }

  test('Clarity starts on it, keeps every row as modelling_session_legacy and says so', async () => {
    clarity = await startClarity();
    const ready = await fetch(`${clarity.url}/health/ready`);
    assert.equal(ready.status, 200, await ready.text());
    assert.match(
      clarity.output(),
      /Legacy table modelling_session \(4 rows\) kept as modelling_session_legacy/,
      clarity.output(),
    );
    assert.deepEqual(await tables(database), [
      'clarity_migrations',
      'idempotency_key',
      'model_change',
      'modelling_session',
      'modelling_session_legacy',
    ]);
    const kept = await tableImage(database, 'modelling_session_legacy');
    assert.deepEqual(kept, original, 'rows, columns and primary key unchanged');

    // Clarity's own sessions work beside the kept table.
    const socket = await connect(clarity.url, { token: await mintToken('alice') });
    try {
      const created = await request(socket, 'clarity.session/create', { name: 'new session' });
      assert.equal(created.success, true, JSON.stringify(created));
    } finally {
      socket.close();
    }
    const { code } = await clarity.stop();
    clarity = undefined;
    assert.equal(code, 0);
  });

  test('a restart applies nothing again and still reports the kept table', async () => {
    clarity = await startClarity();
    assert.doesNotMatch(clarity.output(), /Applied migration/);
    assert.match(
      clarity.output(),
      /Legacy table modelling_session_legacy \(4 rows\) from the previous service is kept/,
    );
    await clarity.stop();
    clarity = undefined;
  });

  test('the documented SQL converts the kept rows into sessions of one owner, idempotently', async () => {
    await withDb(database, async (c) => {
      const first = await c.query(CONVERT_SQL, ['legacy-owner']);
      assert.equal(first.rowCount, 4);
      const again = await c.query(CONVERT_SQL, ['legacy-owner']);
      assert.equal(again.rowCount, 0);
    });
    clarity = await startClarity();
    const socket = await connect(clarity.url, { token: await mintToken('legacy-owner') });
    try {
      const list = await request(socket, 'clarity.session/list', { includeState: true });
      assert.equal(list.success, true, JSON.stringify(list));
      const byName = new Map(
        (list.data.items as Array<{ id: string; name: string; state: unknown }>).map((s) => [s.name, s]),
      );
      assert.deepEqual([...byName.keys()].sort(), ['legacy 1', 'legacy 17', 'legacy 2', 'legacy 3']);
      assert.deepEqual(byName.get('legacy 1')?.state, LEGACY_ROWS[0]![1]);
      assert.deepEqual(byName.get('legacy 2')?.state, LEGACY_ROWS[1]![1]);
      assert.deepEqual(byName.get('legacy 3')?.state, {});
      assert.deepEqual(byName.get('legacy 17')?.state, { legacy: [1, 2, 3] });
      // The workspace of legacy 1 restored in one round trip.
      const env1 = await request(socket, 'clarity/environment-get', {
        id: 'env-legacy-1',
        type: 'request',
        service: 'clarity',
        action: 'environment-get',
        payload: { environmentId: byName.get('legacy 1')!.id, includeFacts: false },
      });
      assert.equal(env1.success, true, JSON.stringify(env1));
      assert.deepEqual(
        (env1.data.models as Array<{ uid: number } | null>).map((m) => m?.uid ?? null),
        [730044, 160170, null],
      );
    } finally {
      socket.close();
    }
    await clarity.stop();
    clarity = undefined;
  });

  test('migration:revert, once per Clarity migration, restores the old table with its rows; migration:run upgrades again', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, [join(projectRoot(), 'scripts', 'typeorm.mjs'), ...args], {
        cwd: projectRoot(),
        env: { ...process.env, ...env(), NODE_ENV: 'test' },
        timeout: 60_000,
      });
    // Clarity's own migrations are reverted newest first; the create migration drops its tables…
    let reverted = '';
    for (let i = 0; i < 10 && !/CreateSessionsAndChangeLog1764400000000 has been reverted/.test(reverted); i++) {
      reverted = (await cli('migration:revert')).stdout;
      assert.doesNotMatch(reverted, /KeepLegacyModellingSession/, 'the legacy step is reverted last');
    }
    assert.match(reverted, /CreateSessionsAndChangeLog1764400000000 has been reverted successfully/);
    assert.deepEqual(await tables(database), ['clarity_migrations', 'modelling_session_legacy']);
    // …and the next revert gives the previous service its table back.
    const legacy = await cli('migration:revert');
    assert.match(legacy.stdout, /KeepLegacyModellingSession1764300000000 has been reverted successfully/);
    assert.deepEqual(await tables(database), ['clarity_migrations', 'modelling_session']);
    assert.deepEqual(await tableImage(database, 'modelling_session'), original);

    const again = await cli('migration:run');
    assert.match(again.stdout, /Legacy table modelling_session \(4 rows\) kept as modelling_session_legacy/);
    assert.deepEqual(await tableImage(database, 'modelling_session_legacy'), original);
  });

  test('a modelling_session of an unknown shape stops the start with a message saying why', async () => {
    const other = await createTestDatabase('legacyodd');
    try {
      await withDb(other, (c) => c.query(`CREATE TABLE "modelling_session" ("key" text PRIMARY KEY, "blob" bytea)`));
      const failure = await startClarityProcess({ ...env(), POSTGRES_DB: other }).then(
        async (started) => {
          await started.stop();
          return assert.fail('Clarity should not start');
        },
        (error: Error) => error,
      );
      assert.match(failure.message, /Table modelling_session exists with unexpected columns \(key, blob\)/);
      const left = await tables(other);
      assert.ok(left.includes('modelling_session') && !left.includes('modelling_session_legacy'), left.join());
    } finally {
      await dropTestDatabase(other);
    }
  });
});
