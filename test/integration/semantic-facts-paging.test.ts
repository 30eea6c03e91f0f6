import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import type { Fact } from '../../src/gellish/fact.js';
import { Category, RelationType } from '../../src/gellish/gellish-uids.js';
import { SemanticModelEngine } from '../../src/semantic/semantic-model-engine.js';
import { loadGellishTables } from '../../src/archivist-server/gellish-table-loader.js';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { FakeArchivist } from '../support/archivist-fake-server.js';
import { connect, metricValue, request } from '../support/socket-client.js';

/**
 * Bounded `facts` in models and paged clarity.facts/get-by-entity (spec §3, §5) on a
 * hub kind with more subtypes and instances than a model may carry: through the
 * embedded Archivist (which pages), an Archivist that ignores the paging parameters
 * (the fake: plain lists), and a started Clarity over Socket.IO.
 */
const HUB = 91_000_000;
const SUBTYPES = 1_234;
const INSTANCES = 300;
const ASPECT_FACT = 92_000_001;
const HUB_FACTS = 1 + SUBTYPES + INSTANCES + 1; // its specialization, subtypes, instances, one aspect

function hubFacts(): Fact[] {
  const facts: Fact[] = [];
  const fact = (f: Omit<Fact, 'rel_type_name'> & { rel_type_name?: string }): void => {
    facts.push({ rel_type_name: 'is a specialization of', ...f });
  };
  fact({
    fact_uid: 92_000_000,
    lh_object_uid: HUB,
    lh_object_name: 'widget',
    rel_type_uid: RelationType.SPECIALIZATION,
    rh_object_uid: Category.PHYSICAL_OBJECT,
    rh_object_name: 'physical object',
    full_definition: 'is a physical object that is made in many kinds.',
  });
  fact({
    fact_uid: ASPECT_FACT,
    lh_object_uid: HUB,
    lh_object_name: 'widget',
    rel_type_uid: 2069,
    rel_type_name: 'can have as aspect a',
    rh_object_uid: Category.ASPECT,
    rh_object_name: 'aspect',
  });
  // Fact uids interleave subtypes and instances, so pages mix both.
  for (let i = 0; i < SUBTYPES; i++) {
    fact({
      fact_uid: 93_000_000 + 2 * i,
      lh_object_uid: 94_000_000 + i,
      lh_object_name: `widget kind ${i}`,
      rel_type_uid: RelationType.SPECIALIZATION,
      rh_object_uid: HUB,
      rh_object_name: 'widget',
    });
  }
  for (let i = 0; i < INSTANCES; i++) {
    fact({
      fact_uid: 93_000_001 + 2 * i,
      lh_object_uid: 95_000_000 + i,
      lh_object_name: `W-${i}`,
      rel_type_uid: RelationType.CLASSIFICATION,
      rel_type_name: 'is classified as a',
      rh_object_uid: HUB,
      rh_object_name: 'widget',
    });
  }
  return facts;
}

function toCsv(facts: readonly Fact[]): string {
  const q = (v: string | number | undefined) => (v === undefined ? '' : `"${String(v).replaceAll('"', '""')}"`);
  const rows = facts.map((f) =>
    [
      f.fact_uid,
      f.lh_object_uid,
      f.lh_object_name,
      f.rel_type_uid,
      f.rel_type_name,
      f.rh_object_uid,
      f.rh_object_name,
      f.full_definition,
    ]
      .map(q)
      .join(','),
  );
  return ['1,2,101,60,3,15,201,4', ...rows].join('\n') + '\n';
}

/** Every page of get-by-entity, asserting order, uniqueness and the total. */
async function pageThrough(
  get: (cursor: string | undefined) => Promise<{ items: Fact[]; total: number; nextCursor: string | null }>,
  expectedTotal: number,
  limit: number,
): Promise<number[]> {
  const seen: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await get(cursor);
    assert.equal(page.total, expectedTotal);
    assert.ok(page.items.length <= limit);
    seen.push(...page.items.map((f) => f.fact_uid));
    if (page.nextCursor === null) break;
    assert.equal(page.items.length, limit, 'only the last page is short');
    cursor = page.nextCursor;
  }
  assert.equal(seen.length, expectedTotal, 'each fact exactly once');
  assert.equal(new Set(seen).size, seen.length);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    'ordered by fact_uid',
  );
  return seen;
}

describe('bounded facts and paging', () => {
  let dir: string;
  let csv: string;
  let kb: Fact[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clarity-paging-'));
    csv = join(dir, 'hub.csv');
    await writeFile(csv, toCsv(hubFacts()));
    const loaded = await loadGellishTables([...bundledKnowledgeBasePaths(), csv]);
    assert.equal(loaded.rejected.length, 0);
    kb = loaded.facts.map((l) => l.fact);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const kind of ['embedded Archivist (pages)', 'an Archivist that ignores the paging parameters'] as const) {
    describe(kind, () => {
      let server: ArchivistServer | undefined;
      let fake: FakeArchivist | undefined;
      let client: ArchivistClient;
      let engine: SemanticModelEngine;

      before(async () => {
        let url: string;
        if (kind === 'embedded Archivist (pages)') {
          server = await startArchivistServer({
            dataFiles: [...bundledKnowledgeBasePaths(), csv],
            logger: silentLogger,
          });
          url = server.url;
        } else {
          fake = new FakeArchivist(kb);
          await fake.start();
          url = fake.url;
        }
        client = new ArchivistClient({ baseUrl: url, timeoutMs: 10_000, retryAttempts: 1 });
        engine = new SemanticModelEngine(client);
      });
      after(async () => {
        await client.close();
        await server?.close();
        await fake?.stop();
      });

      test('the client asks for structural facts; only the embedded Archivist leaves the hub facts out', async () => {
        const structure = await client.structuralFacts(HUB);
        assert.equal(structure.total, HUB_FACTS);
        assert.equal(structure.filtered, kind === 'embedded Archivist (pages)');
        assert.equal(structure.facts.length, structure.filtered ? 2 : HUB_FACTS);
        const page = await client.relatedFactsPage(HUB, 93_000_010, 3);
        assert.deepEqual(
          page.items.map((f) => f.fact_uid),
          [93_000_011, 93_000_012, 93_000_013],
        );
        assert.equal(page.total, HUB_FACTS);
      });

      test('the hub model holds 200 facts, the total and a cursor; its other lists ignore subtypes and instances', async () => {
        const model = await engine.getModel(HUB);
        assert.equal(model.name, 'widget');
        assert.equal(model.facts?.length, 200);
        assert.equal(model.factsTotal, HUB_FACTS);
        assert.equal(typeof model.factsNextCursor, 'string');
        assert.deepEqual(
          model.facts?.map((f) => f.fact_uid),
          [...(model.facts ?? [])].map((f) => f.fact_uid).sort((a, b) => a - b),
        );
        assert.ok('supertypes' in model && model.supertypes.includes(Category.PHYSICAL_OBJECT));
        assert.ok(model.category === 'physical object' && model.aspects.some((a) => a.fact_uid === ASPECT_FACT));
        const bare = await engine.getModel(HUB, { includeFacts: false });
        assert.equal(bare.facts, undefined);
        assert.ok(JSON.stringify(model).length < 256 * 1024);
        assert.ok(JSON.stringify(bare).length < 8 * 1024, 'no list grows with the subtypes and instances');
        const wide = await engine.getModel(HUB, { factsLimit: 1000 });
        assert.equal(wide.facts?.length, 1000);
        assert.equal((await engine.getModel(HUB, { factsLimit: 5 })).facts?.length, 5);
      });

      test('a cold hub model costs one Archivist read: its facts page comes with its structural facts', async () => {
        // A fresh client and engine (nothing cached); the hierarchy and the hub's ancestors are read first.
        const cold = new ArchivistClient({ baseUrl: client.options.baseUrl, timeoutMs: 10_000, retryAttempts: 1 });
        try {
          const fresh = new SemanticModelEngine(cold);
          // What the hub's model reads besides its own facts: its ancestors and the phrases of its aspect relation.
          await fresh.getModel(Category.PHYSICAL_OBJECT);
          await fresh.getModel(2069);
          const reads = (): number => (server ? server.stats.snapshot().total : fake!.calls() - fake!.calls('/health'));
          const expected = await client.relatedFactsPage(HUB, 0, 200);
          const before = reads();
          const model = await fresh.getModel(HUB);
          assert.equal(reads() - before, 1, 'one /fact/allRelatedFacts read for the whole model');
          assert.equal(model.facts?.length, 200);
          assert.equal(model.factsTotal, HUB_FACTS);
          assert.deepEqual(
            model.facts?.map((f) => f.fact_uid),
            expected.items.map((f) => f.fact_uid),
            'the first 200 related facts by fact_uid, subtypes and instances included',
          );
          // A smaller factsLimit is a slice of the same page; a larger one is read from the source.
          assert.deepEqual(
            (await fresh.getModel(HUB, { factsLimit: 7 })).facts?.map((f) => f.fact_uid),
            expected.items.slice(0, 7).map((f) => f.fact_uid),
          );
          assert.equal(reads() - before, 1);
          assert.equal((await fresh.getModel(HUB, { factsLimit: 300 })).facts?.length, 300);
          assert.equal(reads() - before, 2);
        } finally {
          await cold.close();
        }
      });

      test('structuralFacts with firstPageSize: the embedded Archivist adds the first page, the other ignores it', async () => {
        const structure = await client.structuralFacts(HUB, 50);
        if (kind === 'embedded Archivist (pages)') {
          assert.equal(structure.filtered, true);
          assert.equal(structure.facts.length, 2);
          assert.deepEqual(
            structure.firstPage?.map((f) => f.fact_uid),
            (await client.relatedFactsPage(HUB, 0, 50)).items.map((f) => f.fact_uid),
          );
          // Not asked for an entity whose structural facts are all of them.
          const small = await client.structuralFacts(94_000_007, 50);
          assert.equal(small.total, 1);
          assert.equal(small.firstPage, undefined);
        } else {
          assert.equal(structure.filtered, false);
          assert.equal(structure.facts.length, HUB_FACTS);
          assert.equal(structure.firstPage, undefined);
        }
      });

      test('a subtype and an instance of the hub still get their models', async () => {
        const sub = await engine.getModel(94_000_007);
        assert.deepEqual('supertypes' in sub ? sub.supertypes : [], [HUB]);
        assert.equal(sub.category, 'physical object');
        assert.equal(sub.factsTotal, 1);
        assert.equal(sub.factsNextCursor, null);
        const w = await engine.getIndividualModel(95_000_003);
        assert.ok('classifiers' in w && w.classifiers.includes(HUB));
      });

      test('paging returns every fact exactly once, in order, with the right total', async () => {
        await pageThrough((cursor) => engine.getFactsByEntity(HUB, { limit: 97, cursor }), HUB_FACTS, 97);
        const all = await engine.getFactsByEntity(HUB, { limit: 5000 });
        assert.equal(all.items.length, HUB_FACTS);
        assert.equal(all.nextCursor, null);
        const model = await engine.getModel(HUB);
        const rest = await engine.getFactsByEntity(HUB, { cursor: model.factsNextCursor ?? undefined });
        assert.equal(rest.items[0].fact_uid, all.items[200].fact_uid, "the model's cursor continues after its facts");
      });

      test('bad cursors and unknown uids', async () => {
        const first = await engine.getFactsByEntity(HUB, { limit: 10 });
        const cursor = first.nextCursor ?? '';
        const bad = (c: string, uid = HUB) =>
          assert.rejects(engine.getFactsByEntity(uid, { cursor: c }), (e: Error & { code?: string }) => {
            assert.equal(e.code, 'BAD_REQUEST');
            assert.match(e.message, /cursor/);
            return true;
          });
        await bad('garbage!');
        await bad(cursor.slice(0, -2));
        await bad(
          Buffer.from(
            Buffer.from(cursor, 'base64url')
              .toString()
              .replace(/\.(\d+)\./, '.1.'),
          ).toString('base64url'),
        );
        await bad(cursor, 94_000_001);
        await assert.rejects(
          engine.getFactsByEntity(987_654_321),
          (e: Error & { code?: string }) => e.code === 'NOT_FOUND',
        );
      });
    });
  }

  describe('over Socket.IO', () => {
    let clarity: ClarityProcess;
    let cleanupDb: () => Promise<void>;
    let s: Socket;

    before(async () => {
      const db = await databaseEnv();
      cleanupDb = db.cleanup;
      // A small CACHE_MAX_MB: paging must not depend on what the caches keep, and they stay within it.
      clarity = await startClarityProcess({
        ...db.env,
        ARCHIVIST_DATA: [...bundledKnowledgeBasePaths(), csv].join(','),
        CACHE_MAX_MB: '1',
        // It asks for hundreds of models in batches: a batch of N costs N of the rate limit.
        WS_RATE_LIMIT: '100000',
      });
      s = await connect(clarity.url, { token: await mintToken('alice') });
    });
    after(async () => {
      s?.close();
      const { code } = await clarity.stop();
      assert.equal(code, 0, clarity.output());
      await cleanupDb();
    });

    test('model/get answers a bounded hub model; factsLimit is validated', async () => {
      const r = await request(s, 'clarity.model/get', { uid: HUB });
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(r.data.facts.length, 200);
      assert.equal(r.data.factsTotal, HUB_FACTS);
      const wide = await request(s, 'clarity.model/get', { uid: HUB, factsLimit: 1000 });
      assert.equal(wide.data.facts.length, 1000);
      for (const factsLimit of [0, 1001, 'x', 2.5]) {
        const bad = await request(s, 'clarity.model/get', { uid: HUB, factsLimit });
        assert.equal(bad.code, 'BAD_REQUEST', JSON.stringify(factsLimit));
        assert.match(bad.error ?? '', /factsLimit/);
      }
    });

    test('facts/get-by-entity pages through all facts; bad limit or cursor is BAD_REQUEST', async () => {
      await pageThrough(
        async (cursor) => {
          const r = await request(s, 'clarity.facts/get-by-entity', {
            uid: HUB,
            limit: 500,
            ...(cursor ? { cursor } : {}),
          });
          assert.equal(r.success, true, JSON.stringify(r));
          return r.data;
        },
        HUB_FACTS,
        500,
      );
      const first = await request(s, 'clarity.facts/get-by-entity', { uid: HUB });
      assert.equal(first.data.items.length, 500, 'default limit 500');
      for (const payload of [
        { uid: HUB, limit: 0 },
        { uid: HUB, limit: 5001 },
        { uid: HUB, cursor: 'nope' },
        { uid: HUB, cursor: 12 },
        { uid: Category.ASPECT, cursor: first.data.nextCursor },
      ]) {
        const r = await request(s, 'clarity.facts/get-by-entity', payload);
        assert.equal(r.code, 'BAD_REQUEST', JSON.stringify(payload));
      }
      const unknown = await request(s, 'clarity.facts/get-by-entity', { uid: 987_654_321 });
      assert.equal(unknown.code, 'NOT_FOUND');
    });

    test('CACHE_MAX_MB bounds the caches in bytes: clarity_cache_bytes stays within each share', async () => {
      const MB = 1024 * 1024;
      const uids = Array.from({ length: 600 }, (_, i) => 94_000_000 + i);
      for (let i = 0; i < uids.length; i += 50) {
        const r = await request(s, 'clarity.model/get-batch', { uids: uids.slice(i, i + 50) });
        assert.equal(r.success, true, JSON.stringify(r).slice(0, 300));
        assert.ok(r.data.every((m: { uid: number } | null) => m !== null));
      }
      const shares = { archivist: 0.4, facts: 0.15, views: 0.1, models: 0.35 };
      for (const [cache, share] of Object.entries(shares)) {
        const bytes = await metricValue(clarity.url, 'clarity_cache_bytes', `{cache="${cache}"}`);
        assert.ok(bytes !== undefined && bytes > 0, `${cache}: ${bytes}`);
        assert.ok(bytes <= share * MB, `${cache}: ${bytes} bytes > ${share} MB`);
      }
      // 600 models of about 3 KB (twice that with their text) do not fit in 0.35 MB: evicted ones are rebuilt.
      const again = await request(s, 'clarity.model/get', { uid: uids[0] });
      assert.equal(again.success, true);
      assert.deepEqual(again.data.supertypes, [HUB]);
    });
  });
});
