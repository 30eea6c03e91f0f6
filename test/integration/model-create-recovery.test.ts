import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import {
  createTestDatabase,
  mintToken,
  realPostgres,
  startClarityProcess,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { startLossyHttpProxy, type LossyHttpProxy } from '../support/lossy-http-proxy.js';
import { connect, request } from '../support/socket-client.js';

/**
 * `clarity.model/create` with an `idempotencyKey` when an attempt's outcome is not
 * known: the Archivist applied the write but its answer was lost (and it could not be
 * read back), or the process that held the key died after the write. A repeat of the
 * key takes the key over, reads back and answers the kind that exists: one kind, never two.
 * Real processes: a started Clarity, the embedded Archivist behind a lossy HTTP proxy,
 * real PostgreSQL.
 */
const PUMP = 2001001; // bundled KB: "pump"

describe(
  'clarity.model/create: a key whose outcome is unknown',
  { skip: realPostgres() ? false : 'needs POSTGRES_HOST (the keys live in PostgreSQL)' },
  () => {
    let archivist: ArchivistServer;
    let proxy: LossyHttpProxy;
    let database: { name: string; drop(): Promise<void> };
    let clarity: ClarityProcess;
    let socket: Socket;

    before(async () => {
      archivist = await startArchivistServer({ dataFiles: bundledKnowledgeBasePaths(), logger: silentLogger });
      proxy = await startLossyHttpProxy(archivist.url);
      database = await createTestDatabase('create_recovery');
      const server = realPostgres()!;
      clarity = await startClarityProcess({
        POSTGRES_HOST: server.host,
        POSTGRES_PORT: String(server.port),
        POSTGRES_USER: server.user,
        POSTGRES_DB: database.name,
        ARCHIVIST_URL: proxy.url,
        ARCHIVIST_TIMEOUT: '3000',
        ARCHIVIST_RETRY_ATTEMPTS: '1',
        WS_RATE_LIMIT: '1000',
      });
      socket = await connect(clarity.url, { token: await mintToken('dora') });
    });

    after(async () => {
      socket?.close();
      if (clarity) assert.equal((await clarity.stop()).code, 0, clarity.output());
      await database?.drop();
      await proxy?.close();
      await archivist?.close();
    });

    const kindsNamed = (name: string) =>
      archivist.store.subtypesCone(PUMP).filter((f) => f.lh_object_name === name && f.rh_object_uid === PUMP);
    const creationRows = async (uid: number): Promise<number> => {
      const history = await request(socket, 'clarity.model/history', { uid });
      assert.equal(history.success, true, JSON.stringify(history));
      return (history.data as Array<{ field: string }>).filter((row) => row.field === 'created').length;
    };
    const create = (payload: Record<string, unknown>) => request(socket, 'clarity.model/create', payload, 60_000);

    const keyRow = async (key: string): Promise<{ status: string } | undefined> => {
      const client = new pg.Client({ ...realPostgres()!, database: database.name });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT "status" FROM "idempotency_key" WHERE "key" = $1', [key]);
        return rows[0] as { status: string } | undefined;
      } finally {
        await client.end();
      }
    };

    test('answer lost and the Archivist unreachable: ARCHIVIST_UNAVAILABLE, then the repeat finds the kind instead of making a second', async () => {
      const payload = {
        name: 'unanswered pump',
        supertype_uid: PUMP,
        full_definition: 'is a pump whose creation was not answered',
        idempotencyKey: randomUUID(),
      };
      await create({ ...payload, name: 'warm-up pump', idempotencyKey: randomUUID() }); // supertype cached
      proxy.arm('after-then-down');
      const lost = await create(payload);
      assert.equal(lost.success, false, JSON.stringify(lost));
      assert.equal(lost.code, 'ARCHIVIST_UNAVAILABLE', JSON.stringify(lost));
      assert.equal(kindsNamed('unanswered pump').length, 1, 'the Archivist applied the write');
      assert.equal((await keyRow(payload.idempotencyKey))?.status, 'unknown');

      proxy.restore();
      const posts = archivist.stats.count('/fact/facts');
      const repeat = await create(payload);
      assert.equal(repeat.success, true, JSON.stringify(repeat));
      assert.equal(repeat.data.uid, kindsNamed('unanswered pump')[0]!.lh_object_uid);
      assert.equal(archivist.stats.count('/fact/facts'), posts, 'nothing was sent again');
      assert.equal(kindsNamed('unanswered pump').length, 1);
      assert.equal((await keyRow(payload.idempotencyKey))?.status, 'done');
      assert.equal(await creationRows(repeat.data.uid), 1, 'the creation is in the change log once');

      const third = await create(payload);
      assert.equal(third.data.uid, repeat.data.uid);
    });

    test('a key left pending by a process that died after the write is taken over once stale, and answers the existing kind', async () => {
      const payload = {
        name: 'orphaned pump',
        supertype_uid: PUMP,
        full_definition: 'is a pump whose creator died',
        idempotencyKey: randomUUID(),
      };
      const first = await create(payload);
      assert.equal(first.success, true, JSON.stringify(first));
      // As a process that died between the Archivist write and storing the result leaves it:
      const client = new pg.Client({ ...realPostgres()!, database: database.name });
      await client.connect();
      try {
        await client.query(
          `UPDATE "idempotency_key" SET "status" = 'pending', "result" = NULL, "updated_at" = now() - interval '1 minute'
           WHERE "key" = $1`,
          [payload.idempotencyKey],
        );
        // Fresh enough: the first attempt may still be running, so the repeat waits and then gives up with CONFLICT…
        // (not exercised here: it would take the whole wait). Made stale:
        await client.query(
          `UPDATE "idempotency_key" SET "updated_at" = now() - interval '10 minutes' WHERE "key" = $1`,
          [payload.idempotencyKey],
        );
      } finally {
        await client.end();
      }
      const posts = archivist.stats.count('/fact/facts');
      const repeat = await create(payload);
      assert.equal(repeat.success, true, JSON.stringify(repeat));
      assert.equal(repeat.data.uid, first.data.uid);
      assert.equal(archivist.stats.count('/fact/facts'), posts, 'nothing was sent again');
      assert.equal(kindsNamed('orphaned pump').length, 1);
      assert.equal(await creationRows(first.data.uid), 1, 'logged by the first attempt, not again');
      assert.equal((await keyRow(payload.idempotencyKey))?.status, 'done');
    });

    test('a key released after a refusal is free: the corrected request with the same key creates the kind', async () => {
      const key = randomUUID();
      const refused = await create({
        name: 'late pump',
        supertype_uid: 99999999,
        full_definition: 'x',
        idempotencyKey: key,
      });
      assert.equal(refused.code, 'NOT_FOUND', JSON.stringify(refused));
      assert.equal(await keyRow(key), undefined, 'the key was released');
      const corrected = await create({
        name: 'late pump',
        supertype_uid: PUMP,
        full_definition: 'x',
        idempotencyKey: key,
      });
      assert.equal(corrected.success, true, JSON.stringify(corrected));
      assert.equal(kindsNamed('late pump').length, 1);
    });
  },
);
