import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/archivist-server/archivist-logger.js';
import { startArchivistServer, type ArchivistServer } from '../../src/archivist-server/archivist-server.js';
import type { Fact } from '../../src/gellish/fact.js';
import { Category, RelationType } from '../../src/gellish/gellish-uids.js';

/** PUT /submission/*: each changes later reads, and a journal carries them across restarts. */
const SPEC = RelationType.SPECIALIZATION;
const SYNONYM = RelationType.SYNONYM;
const PUMP = 900001;
const HEADER = '1,2,101,60,3,15,201,65,4,50,68';
const ROWS = [
  `1,${PUMP},pump,${SPEC},is a specialization of,${Category.PHYSICAL_OBJECT},physical object,,,10,old`,
  `2,${PUMP},pomp,${SYNONYM},is a synonym of,${PUMP},pump,,,10,old`,
  `3,900002,impeller,${SPEC},is a specialization of,${PUMP},pump,,,10,old`,
];

let dir: string;
let dataFile: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archivist-submissions-'));
  dataFile = join(dir, 'kb.csv');
  await writeFile(dataFile, [HEADER, ...ROWS].join('\n'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(journalFile?: string): Promise<ArchivistServer> {
  return startArchivistServer({ dataFiles: [dataFile], journalFile, logger: silentLogger });
}

async function put(server: ArchivistServer, kind: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/submission/${kind}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function fact(server: ArchivistServer, uid: number): Promise<Fact> {
  return (await fetch(`${server.url}/fact/fact?uid=${uid}`)).json() as Promise<Fact>;
}

async function searchIds(server: ArchivistServer, term: string): Promise<number[]> {
  const res = await fetch(`${server.url}/generalSearch/text?searchTerm=${encodeURIComponent(term)}&exactMatch=true`);
  return ((await res.json()) as Fact[]).map((f) => f.fact_uid);
}

/** Applies one submission of each kind and returns what the facts should then look like. */
async function submitAll(server: ArchivistServer): Promise<void> {
  const definition = await put(server, 'definition', {
    fact_uid: 1,
    partial_definition: 'that pumps',
    full_definition: 'is a physical object that pumps',
  });
  assert.equal(definition.status, 200);
  assert.equal((definition.body as Fact).full_definition, 'is a physical object that pumps');
  const name = await put(server, 'name', { fact_uid: 1, name: 'centrifugal pump' });
  assert.equal(name.status, 200);
  assert.equal((name.body as Fact).lh_object_name, 'centrifugal pump');
  const collection = await put(server, 'collection', {
    fact_uid: 3,
    collection_uid: 77,
    collection_name: 'pump parts',
  });
  assert.equal(collection.status, 200);
  assert.deepEqual(
    [(collection.body as Fact).collection_uid, (collection.body as Fact).collection_name],
    [77, 'pump parts'],
  );
}

async function assertSubmitted(server: ArchivistServer): Promise<void> {
  const one = await fact(server, 1);
  assert.equal(one.partial_definition, 'that pumps');
  assert.equal(one.full_definition, 'is a physical object that pumps');
  assert.equal(one.lh_object_name, 'centrifugal pump');
  // the rename reaches every fact where the uid carries that name, and leaves the synonym alone
  const two = await fact(server, 2);
  assert.deepEqual([two.lh_object_name, two.rh_object_name], ['pomp', 'centrifugal pump']);
  assert.equal((await fact(server, 3)).rh_object_name, 'centrifugal pump');
  assert.deepEqual(await searchIds(server, 'centrifugal pump'), [1, 2, 3]);
  assert.deepEqual(await searchIds(server, 'pump'), []);
  const three = await fact(server, 3);
  assert.deepEqual([three.collection_uid, three.collection_name], [77, 'pump parts']);
}

describe('submissions', () => {
  test('each PUT changes what later reads return (no journal)', async () => {
    const server = await start();
    try {
      await submitAll(server);
      await assertSubmitted(server);
    } finally {
      await server.close();
    }
  });

  test('bad bodies answer 400, unknown facts 404, and change nothing', async () => {
    const server = await start();
    try {
      const before = await fact(server, 1);
      const bad: Array<[string, unknown]> = [
        ['name', 'not json'],
        ['name', '[1,2]'],
        ['name', { name: 'x' }],
        ['name', { fact_uid: '1', name: 'x' }],
        ['name', { fact_uid: 1, name: '' }],
        ['definition', { fact_uid: 1, partial_definition: 'x' }],
        ['collection', { fact_uid: 1, collection_uid: 'c', collection_name: 'x' }],
      ];
      for (const [kind, body] of bad) {
        const answer = await put(server, kind, body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(typeof (answer.body as { error: unknown }).error, 'string');
      }
      assert.equal((await put(server, 'name', { fact_uid: 999, name: 'x' })).status, 404);
      assert.equal((await put(server, 'nothing', { fact_uid: 1 })).status, 404);
      assert.deepEqual(await fact(server, 1), before);
    } finally {
      await server.close();
    }
  });

  test('with a journal, a restart replays every acknowledged submission', async () => {
    const journalFile = join(dir, 'journal.jsonl');
    const first = await start(journalFile);
    await submitAll(first);
    await first.close();
    const lines = (await readFile(journalFile, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 3);

    const second = await start(journalFile);
    try {
      await assertSubmitted(second);
      // further submissions append to the same journal
      assert.equal((await put(second, 'name', { fact_uid: 3, name: 'impeller wheel' })).status, 200);
    } finally {
      await second.close();
    }
    // a torn last line (a write that was never acknowledged) is cut off, not fatal
    await appendFile(journalFile, '{"at":"x","submission":{"kind":"name","fact_');
    const third = await start(journalFile);
    try {
      await assertSubmitted(third);
      assert.equal((await fact(third, 3)).lh_object_name, 'impeller wheel');
      assert.equal(
        (await put(third, 'collection', { fact_uid: 2, collection_uid: 5, collection_name: 'c' })).status,
        200,
      );
    } finally {
      await third.close();
    }
    const fourth = await start(journalFile);
    try {
      assert.equal((await fact(fourth, 2)).collection_uid, 5);
      assert.equal((await readFile(journalFile, 'utf8')).trim().split('\n').length, 5);
    } finally {
      await fourth.close();
    }
  });
});
