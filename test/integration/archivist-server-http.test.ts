import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/archivist-server/archivist-logger.js';
import { startArchivistServer, type ArchivistServer } from '../../src/archivist-server/archivist-server.js';
import { MAX_BODY_BYTES } from '../../src/archivist-server/http-io.js';
import { ANYTHING, Category, RelationType } from '../../src/gellish/gellish-uids.js';

/** HTTP behaviour of the embedded Archivist over a small table the test writes. */
const SPEC = RelationType.SPECIALIZATION;
const CLASSIFICATION = RelationType.CLASSIFICATION;
const PUMP = 900001;
const P101 = 900002;
const ROWS = [
  `1,${PUMP},pump,${SPEC},is a specialization of,${Category.PHYSICAL_OBJECT},physical object`,
  `2,${Category.PHYSICAL_OBJECT},physical object,${SPEC},is a specialization of,${ANYTHING},anything`,
  `3,${P101},P-101,${CLASSIFICATION},is classified as a,${PUMP},pump`,
];

let dir: string;
let server: ArchivistServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archivist-http-'));
  const file = join(dir, 'kb.csv');
  await writeFile(file, ['1,2,101,60,3,15,201', ...ROWS].join('\n'));
  server = await startArchivistServer({ dataFiles: [file], logger: silentLogger });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: await res.json() };
}

describe('archivist HTTP', () => {
  test('answers entity type and category, an individual through its classifier', async () => {
    assert.deepEqual(await call(`/retrieveEntity/type?uid=${PUMP}`), { status: 200, body: 'kind' });
    assert.deepEqual(await call(`/retrieveEntity/type?uid=${P101}`), { status: 200, body: 'individual' });
    assert.deepEqual(await call(`/retrieveEntity/category?uid=${P101}`), { status: 200, body: 'physical object' });
    assert.deepEqual(
      await call(`/fact/classified?uid=${PUMP}`).then((r) =>
        (r.body as Array<{ fact_uid: number }>).map((f) => f.fact_uid),
      ),
      [3],
    );
  });

  test('unknown uids: 404 {error} for type, category and fact; [] for lists', async () => {
    for (const path of ['/retrieveEntity/type?uid=5', '/retrieveEntity/category?uid=5', '/fact/fact?uid=99']) {
      const { status, body } = await call(path);
      assert.equal(status, 404, path);
      assert.match((body as { error: string }).error, /not found/);
    }
    for (const path of [
      '/fact/definitiveFacts?uid=5',
      '/fact/allRelatedFacts?uid=5',
      '/fact/subtypesCone?uid=5',
      '/fact/classified?uid=5',
      '/fact/relatedOnUIDSubtypeCone?lh_object_uid=5&rel_type_uid=5',
    ]) {
      assert.deepEqual(await call(path), { status: 200, body: [] }, path);
    }
    assert.deepEqual(await call('/fact/allRelatedFacts?uid=5&limit=10'), {
      status: 200,
      body: { items: [], total: 0 },
    });
  });

  test('bad parameters answer 400 {error}', async () => {
    const bad = [
      '/retrieveEntity/type',
      '/retrieveEntity/type?uid=',
      '/retrieveEntity/type?uid=abc',
      '/fact/fact?uid=1.5',
      '/fact/fact?uid=-1',
      '/fact/fact?uid=99999999999999999999',
      '/fact/relatedOnUIDSubtypeCone?lh_object_uid=1',
      '/fact/allRelatedFacts?uid=1&depth=0',
      '/fact/allRelatedFacts?uid=1&depth=x',
      '/fact/allRelatedFacts?uid=1&limit=0',
      '/fact/allRelatedFacts?uid=1&limit=10001',
      '/fact/allRelatedFacts?uid=1&after=-1',
      '/fact/allRelatedFacts?uid=1&exclude=subtypes',
      '/fact/allRelatedFacts?uid=1&exclude=everything',
      '/fact/allRelatedFacts?uid=1&limit=5&depth=2',
      '/fact/allRelatedFacts?uid=1&firstPageSize=5',
      '/fact/allRelatedFacts?uid=1&exclude=subtypes,instances&firstPageSize=0',
      '/fact/allRelatedFacts?uid=1&exclude=subtypes,instances&firstPageSize=x',
      '/generalSearch/text',
      '/generalSearch/text?searchTerm=pump&exactMatch=maybe',
    ];
    for (const path of bad) {
      const { status, body } = await call(path);
      assert.equal(status, 400, path);
      assert.equal(typeof (body as { error: unknown }).error, 'string', path);
    }
  });

  test('unknown paths 404, wrong methods 405', async () => {
    assert.equal((await call('/nowhere')).status, 404);
    const res = await fetch(`${server.url}/fact/fact?uid=1`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
  });

  test('search: containing or exact, case-insensitive', async () => {
    const ids = async (path: string) => ((await call(path)).body as Array<{ fact_uid: number }>).map((f) => f.fact_uid);
    assert.deepEqual(await ids('/generalSearch/text?searchTerm=PUMP&exactMatch=true'), [1, 3]);
    assert.deepEqual(await ids('/generalSearch/text?searchTerm=ump&exactMatch=true'), []);
    assert.deepEqual(await ids('/generalSearch/text?searchTerm=ump'), [1, 3]);
    assert.deepEqual(await ids('/generalSearch/text?searchTerm=object&exactMatch=false'), [1, 2]);
  });

  test('allRelatedFacts follows depth', async () => {
    const ids = async (path: string) => ((await call(path)).body as Array<{ fact_uid: number }>).map((f) => f.fact_uid);
    assert.deepEqual(await ids(`/fact/allRelatedFacts?uid=${P101}`), [3]);
    assert.deepEqual(await ids(`/fact/allRelatedFacts?uid=${P101}&depth=2`), [1, 3]);
    assert.deepEqual(await ids(`/fact/allRelatedFacts?uid=${P101}&depth=3`), [1, 2, 3]);
  });

  test('a body over the limit answers 413, malformed JSON 400', async () => {
    const big = JSON.stringify({ fact_uid: 1, name: 'x'.repeat(MAX_BODY_BYTES) });
    const tooLarge = await call('/submission/name', {
      method: 'PUT',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(tooLarge.status, 413);
    assert.equal((await call('/submission/name', { method: 'PUT', body: '{"fact_uid":' })).status, 400);
    assert.equal((await call('/submission/name', { method: 'PUT' })).status, 400);
  });

  test('a chunked body over the limit (no content-length) answers 413', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(server.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
      socket.on('error', (error) => (answer ? undefined : reject(error)));
      socket.write('PUT /submission/name HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) {
        socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      }
      socket.end('0\r\n\r\n');
    });
    assert.match(status, /^HTTP\/1\.1 413/);
  });

  test('health, and stats counting per endpoint with reset', async () => {
    await call('/stats', { method: 'DELETE' });
    assert.deepEqual(await call('/health'), { status: 200, body: { status: 'ok', facts: ROWS.length } });
    await call(`/fact/fact?uid=1`);
    await call(`/fact/fact?uid=2`);
    await call(`/retrieveEntity/type?uid=${PUMP}`);
    const expected = { total: 4, byPath: { '/fact/fact': 2, '/health': 1, '/retrieveEntity/type': 1 } };
    assert.deepEqual(await call('/stats'), { status: 200, body: expected });
    assert.deepEqual(server.stats.snapshot(), expected);
    server.stats.reset();
    assert.deepEqual(await call('/stats'), { status: 200, body: { total: 0, byPath: {} } });
  });

  test('close releases the port', async () => {
    const file = join(dir, 'kb.csv');
    const first = await startArchivistServer({ dataFiles: [file], logger: silentLogger });
    await fetch(`${first.url}/health`); // leaves a keep-alive connection open
    await first.close();
    const second = await startArchivistServer({ dataFiles: [file], port: first.port, logger: silentLogger });
    try {
      assert.equal(second.port, first.port);
      assert.equal((await fetch(`${second.url}/health`)).status, 200);
    } finally {
      await second.close();
    }
  });
});
