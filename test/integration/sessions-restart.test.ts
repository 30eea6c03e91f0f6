import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import winston from 'winston';
import { ConfigModule } from '../../src/config/config.module.js';
import { LoggingModule } from '../../src/logging/logging.module.js';
import { ClarityError } from '../../src/common/clarity-error.js';
import { ChangeLogModule } from '../../src/change-log/change-log.module.js';
import { SessionsModule } from '../../src/sessions/sessions.module.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { ChangeLogService } from '../../src/change-log/change-log.service.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../src/database/database-errors.js';
import {
  adminClient,
  buildServices,
  createTestDatabase,
  dropTestDatabase,
  openDataSource,
  postgresUnavailableReason,
  testConfig,
} from '../support/db-test-database.js';
import { ensureClusterRunning, localCluster, restartCluster } from '../support/db-cluster.js';

const unavailable = await postgresUnavailableReason();
if (unavailable) console.warn(`Skipping session restart tests: ${unavailable}`);

@Global()
@Module({})
class TestDatabaseModule {
  static forDataSource(dataSource: DataSource): DynamicModule {
    return {
      module: TestDatabaseModule,
      providers: [{ provide: DataSource, useValue: dataSource }],
      exports: [DataSource],
    };
  }
}

describe(
  'service restart: sessions survive a new DataSource and SessionsModule/ChangeLogModule instance',
  { skip: unavailable },
  () => {
    let database: string;
    before(async () => {
      database = await createTestDatabase('svcrestart');
    });
    after(async () => {
      if (database) await dropTestDatabase(database);
    });

    test('sessions and change log written by one instance are read back intact by the next', async () => {
      const config = testConfig(database);
      const first = await openDataSource(config);
      const { sessions, changeLog } = buildServices(first);
      const a = await sessions.create('u1', { name: 'one', state: { k: 'ü' } });
      const b = await sessions.update('u1', { id: a.id, state: { k: 'two' }, version: 1 });
      const c = await sessions.create('u2', { name: 'other' });
      const change = await changeLog.record({
        entityUid: 42,
        factUid: 7,
        field: 'name',
        oldValue: 'a',
        newValue: 'b',
        changedBy: 'u1',
      });
      await first.destroy();

      // "Restart": a new DataSource (migrations already applied → none pending) and a Nest context.
      const second = await openDataSource(config);
      assert.deepEqual(await second.runMigrations(), []);
      const app = await NestFactory.createApplicationContext(
        {
          module: class Root {},
          imports: [
            // The application's global modules, as in AppModule.
            ConfigModule.forRoot(config),
            LoggingModule.forRoot(winston.createLogger({ silent: true })),
            TestDatabaseModule.forDataSource(second),
            SessionsModule,
            ChangeLogModule,
          ],
        } as DynamicModule,
        { logger: false, abortOnError: false },
      );
      try {
        const sessions2 = app.get(SessionsService);
        const changeLog2 = app.get(ChangeLogService);
        assert.deepEqual(await sessions2.get('u1', a.id), b);
        assert.deepEqual(await sessions2.get('u2', c.id), c);
        assert.deepEqual(await changeLog2.history(42), [change]);
        const v3 = await sessions2.update('u1', { id: a.id, name: 'after restart', version: 2 });
        assert.equal(v3.version, 3);
      } finally {
        await app.close();
        await second.destroy();
      }
    });
  },
);

const cluster = localCluster();
const clusterSkip = unavailable ?? (cluster ? undefined : 'no local PostgreSQL cluster to restart (pg_ctlcluster)');
if (!unavailable && clusterSkip) console.warn(`Skipping database restart test: ${clusterSkip}`);

const CONNECTION_TIMEOUT_MS = 2000;
/** A request during the outage must answer within the connection timeout plus this margin. */
const MARGIN_MS = 3000;

describe('database restart while serving', { skip: clusterSkip }, () => {
  let database: string;
  let ds: DataSource | undefined;

  before(async () => {
    database = await createTestDatabase('dbrestart');
  });
  after(async () => {
    // Other developers' tests share this cluster: it must be up whatever happened.
    await ensureClusterRunning();
    if (ds?.isInitialized) await ds.destroy().catch(() => undefined);
    if (database) await dropTestDatabase(database);
  });

  test('requests fail fast and cleanly during the outage, the service recovers alone, no acknowledged write is lost', async (t) => {
    ds = await openDataSource(
      testConfig(database, {
        POSTGRES_CONNECTION_TIMEOUT: String(CONNECTION_TIMEOUT_MS),
        POSTGRES_MAX_CONNECTIONS: '4',
      }),
    );
    const { sessions } = buildServices(ds);

    interface Acked {
      version: number;
      state: unknown;
    }
    const acked = new Map<string, Acked>();
    const failures: Array<{ error: unknown; ms: number }> = [];
    let successes = 0;
    let successesAfterRestart = 0;
    let restarted = false;
    let stop = false;

    async function timed<T>(call: () => Promise<T>): Promise<T | undefined> {
      const started = Date.now();
      try {
        const result = await call();
        successes++;
        if (restarted) successesAfterRestart++;
        return result;
      } catch (error) {
        failures.push({ error, ms: Date.now() - started });
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      }
    }

    // Each writer owns one session at a time: create it, then update it sequentially.
    async function writer(index: number): Promise<void> {
      const owner = `writer-${index}`;
      let current: { id: string; version: number } | undefined;
      let step = 0;
      while (!stop) {
        step++;
        await new Promise((r) => setTimeout(r, 5)); // a steady workload, not a flood of the shared server
        if (!current || step % 5 === 0) {
          const created = await timed(() => sessions.create(owner, { name: `w${index}-${step}`, state: { step } }));
          if (created) {
            acked.set(created.id, { version: created.version, state: created.state });
            current = created;
          }
          continue;
        }
        const target: { id: string; version: number } = current;
        const updated = await timed(() =>
          sessions.update(owner, { id: target.id, state: { step }, version: target.version }),
        );
        if (updated) {
          acked.set(updated.id, { version: updated.version, state: updated.state });
          current = updated;
        } else {
          // Unknown outcome (the update may have committed): resynchronise from the database.
          const fresh = await timed(() => sessions.get(owner, target.id));
          if (fresh) current = fresh;
        }
      }
    }

    const writers = Array.from({ length: 3 }, (_, i) => writer(i));
    try {
      while (successes < 30) await new Promise((r) => setTimeout(r, 20));
      await restartCluster();
      restarted = true;
      const deadline = Date.now() + 30_000;
      while (successesAfterRestart < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      stop = true;
      await Promise.all(writers);
    }

    assert.ok(
      successesAfterRestart >= 30,
      `the service did not recover by itself (${successesAfterRestart} successes after the restart)`,
    );
    for (const { error, ms } of failures) {
      assert.ok(error instanceof ClarityError, `a failure that is not a ClarityError: ${String(error)}`);
      assert.equal(error.code, 'INTERNAL');
      assert.equal(error.message, DATABASE_UNAVAILABLE_MESSAGE);
      assert.ok(ms <= CONNECTION_TIMEOUT_MS + MARGIN_MS, `a request took ${ms} ms to fail`);
    }
    t.diagnostic(`restart workload: ${successes} successes, ${failures.length} clean failures during the outage`);

    // Every acknowledged write is in the database (read with a separate client).
    const client = adminClient(database);
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; version: number; state: unknown }>(
        'SELECT id, version, state FROM modelling_session',
      );
      const stored = new Map(rows.map((r) => [r.id, r]));
      for (const [id, write] of acked) {
        const row = stored.get(id);
        assert.ok(row, `acknowledged session ${id} is missing`);
        assert.ok(
          row.version >= write.version,
          `session ${id}: version ${row.version} < acknowledged ${write.version}`,
        );
        if (row.version === write.version) assert.deepEqual(row.state, write.state);
      }
    } finally {
      await client.end();
    }
  });
});
