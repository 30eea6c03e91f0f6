import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/archivist-server/archivist-logger.js';
import { startArchivistServer, type ArchivistServer } from '../../src/archivist-server/archivist-server.js';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import { ClarityError } from '../../src/common/clarity-error.js';
import type { Fact } from '../../src/gellish/fact.js';
import { Category, RelationType } from '../../src/gellish/gellish-uids.js';
import { startLossyHttpProxy } from '../support/lossy-http-proxy.js';

/** POST /fact/facts and POST /validate/binaryFacts on the embedded Archivist, over HTTP. */
const SPEC = RelationType.SPECIALIZATION;
const SYNONYM = RelationType.SYNONYM;
const PUMP = 900001;
const HEADER = '1,2,101,60,3,15,201';
const ROWS = [
  `1,${Category.PHYSICAL_OBJECT},physical object,${SPEC},is a specialization of,730000,anything`,
  `2,${PUMP},pump,${SPEC},is a specialization of,${Category.PHYSICAL_OBJECT},physical object`,
  `3,900002,impeller,${SPEC},is a specialization of,${PUMP},pump`,
  `4,${SYNONYM},is a synonym of,${SPEC},is a specialization of,2850,relation`,
];
const HIGHEST_LOADED = 900002;

let dir: string;
let dataFile: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archivist-facts-'));
  dataFile = join(dir, 'kb.csv');
  await writeFile(dataFile, [HEADER, ...ROWS].join('\n'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(journalFile?: string): Promise<ArchivistServer> {
  return startArchivistServer({ dataFiles: [dataFile], journalFile, logger: silentLogger });
}

async function post(server: ArchivistServer, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function get(server: ArchivistServer, path: string): Promise<any> {
  return (await fetch(`${server.url}${path}`)).json();
}

function newKind(temp: number, name: string, supertype = PUMP, supertypeName = 'pump') {
  return {
    lh_object_uid: temp,
    lh_object_name: name,
    rel_type_uid: SPEC,
    rel_type_name: 'is a specialization of',
    rh_object_uid: supertype,
    rh_object_name: supertypeName,
    full_definition: `is a ${supertypeName} that is ${name}`,
  };
}

/** A new kind, a synonym of it (same temporary uid) and a subtype of it (another temporary uid). */
const SUBMISSION = [
  newKind(1, 'centrifugal pump'),
  {
    lh_object_uid: 1,
    lh_object_name: 'centrifugaalpomp',
    rel_type_uid: SYNONYM,
    rel_type_name: 'is a synonym of',
    rh_object_uid: 1,
    rh_object_name: 'centrifugal pump',
  },
  newKind(2, 'end suction pump', 1, 'centrifugal pump'),
];

function assertApplied(facts: Fact[]): { kind: number; sub: number } {
  assert.equal(facts.length, 3);
  const [kindFact, synonymFact, subFact] = facts as [Fact, Fact, Fact];
  const kind = kindFact.lh_object_uid;
  assert.ok(kind > HIGHEST_LOADED, `new entity uid ${kind} above every loaded uid`);
  assert.equal(synonymFact.lh_object_uid, kind, 'the same temporary uid is the same new entity');
  assert.equal(synonymFact.rh_object_uid, kind);
  assert.equal(subFact.rh_object_uid, kind);
  const sub = subFact.lh_object_uid;
  assert.notEqual(sub, kind);
  const uids = facts.flatMap((f) => [f.fact_uid]).concat([kind, sub]);
  assert.equal(new Set(uids).size, uids.length, 'fact and entity uids all distinct');
  for (const f of facts) assert.ok(f.fact_uid > HIGHEST_LOADED);
  return { kind, sub };
}

describe('POST /fact/facts', () => {
  test('temporary uids become new permanent uids; the facts are served at once', async () => {
    const server = await start();
    try {
      const answer = await post(server, '/fact/facts', SUBMISSION);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.success, true);
      const { kind, sub } = assertApplied(answer.body.facts);
      assert.deepEqual(answer.body.temporaryUids, { '1': kind, '2': sub });
      assert.equal(await get(server, `/retrieveEntity/type?uid=${kind}`), 'kind');
      assert.equal(await get(server, `/retrieveEntity/category?uid=${sub}`), 'physical object');
      const cone = (await get(server, `/fact/subtypesCone?uid=${PUMP}`)) as Fact[];
      assert.deepEqual(
        cone.map((f) => f.lh_object_uid).sort(),
        [900002, kind, sub].sort(),
        'the hierarchy knows the new kinds',
      );
      const found = (await get(server, '/generalSearch/text?searchTerm=centrifugaalpomp&exactMatch=true')) as Fact[];
      assert.deepEqual(
        found.map((f) => f.fact_uid),
        [answer.body.facts[1].fact_uid],
      );
      // a second submission gets further uids
      const again = await post(server, '/fact/facts', [newKind(1, 'gear pump')]);
      assert.equal(again.status, 200);
      assert.ok(again.body.facts[0].lh_object_uid > sub);
    } finally {
      await server.close();
    }
  });

  test('one bad fact refuses the whole submission (400, a verdict per fact) and changes nothing', async () => {
    const server = await start();
    try {
      const before = (await get(server, `/fact/subtypesCone?uid=${PUMP}`)) as Fact[];
      const bad = [newKind(1, 'screw pump'), { ...newKind(2, 'ghost'), rh_object_uid: 123456789 }];
      const answer = await post(server, '/fact/facts', bad);
      assert.equal(answer.status, 400);
      assert.match(answer.body.error, /fact 1: rh_object_uid 123456789 is neither a known entity nor a temporary uid/);
      assert.deepEqual(
        answer.body.results.map((r: { isValid: boolean }) => r.isValid),
        [true, false],
      );
      assert.deepEqual(await get(server, `/fact/subtypesCone?uid=${PUMP}`), before);
      assert.deepEqual(await get(server, '/generalSearch/text?searchTerm=screw%20pump&exactMatch=true'), []);
      for (const body of ['nope', '{}', '[]', '[1]', JSON.stringify([{ ...newKind(1, 'x'), fact_uid: 5000 }])]) {
        const refused = await post(server, '/fact/facts', body);
        assert.equal(refused.status, 400, body);
        assert.equal(typeof refused.body.error, 'string');
      }
      const noName = await post(server, '/fact/facts', [{ ...newKind(1, 'x'), lh_object_name: ' ' }]);
      assert.match(noName.body.error, /fact 0: lh_object_name must be a non-empty string/);
    } finally {
      await server.close();
    }
  });

  test('POST /validate/binaryFacts answers one verdict per fact, in order, and applies nothing', async () => {
    const server = await start();
    try {
      const facts = [
        newKind(1, 'axial pump'),
        { ...newKind(1, 'x'), rel_type_uid: 424242 },
        { ...newKind(2, 'y'), lh_object_uid: 777777 },
        newKind(1, 'axial pump'),
        { ...newKind(3, 'z'), lh_object_uid: 900002, lh_object_name: 'impeller' },
      ];
      const answer = await post(server, '/validate/binaryFacts', facts);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.length, 5);
      assert.deepEqual(answer.body[0], { isValid: true });
      assert.equal(answer.body[1].isValid, false);
      assert.match(answer.body[1].message, /relation type 424242 is not known/);
      assert.match(answer.body[2].message, /lh_object_uid 777777 is neither a known entity/);
      assert.match(answer.body[3].message, /duplicate of an earlier fact in this submission/);
      assert.match(answer.body[4].message, /duplicate of existing fact 3/);
      assert.deepEqual(await get(server, '/generalSearch/text?searchTerm=axial%20pump&exactMatch=true'), []);
    } finally {
      await server.close();
    }
  });

  test('journaled: a restart replays the facts, and new uids never collide with replayed ones', async () => {
    const journalFile = join(dir, 'facts-journal.jsonl');
    const first = await start(journalFile);
    let applied: Fact[];
    try {
      const answer = await post(first, '/fact/facts', SUBMISSION);
      assert.equal(answer.status, 200);
      applied = answer.body.facts;
    } finally {
      await first.close();
    }
    const lines = (await readFile(journalFile, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 1, 'one submission, one journal line');
    const { kind, sub } = assertApplied(applied);

    const second = await start(journalFile);
    try {
      for (const fact of applied) assert.deepEqual(await get(second, `/fact/fact?uid=${fact.fact_uid}`), fact);
      assert.equal(await get(second, `/retrieveEntity/type?uid=${sub}`), 'kind');
      const more = await post(second, '/fact/facts', [newKind(1, 'vane pump', kind, 'centrifugal pump')]);
      assert.equal(more.status, 200);
      const taken = new Set(applied.flatMap((f) => [f.fact_uid, f.lh_object_uid, f.rh_object_uid]));
      for (const uid of [more.body.facts[0].fact_uid, more.body.facts[0].lh_object_uid]) {
        assert.ok(!taken.has(uid), `uid ${uid} reserved after the restart is new`);
        assert.ok(uid > Math.max(...taken));
      }
      // the same facts again are duplicates now
      const dup = await post(second, '/fact/facts', [
        { ...newKind(1, 'x'), lh_object_uid: sub, lh_object_name: 'end suction pump', rh_object_uid: kind },
      ]);
      assert.equal(dup.status, 400);
      assert.match(dup.body.error, /duplicate of existing fact/);
    } finally {
      await second.close();
    }
  });

  test('concurrent submissions get distinct uids', async () => {
    const server = await start();
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => post(server, '/fact/facts', [newKind(1, `pump ${i}`)])),
      );
      const uids = answers.flatMap((a) => {
        assert.equal(a.status, 200);
        return [a.body.facts[0].fact_uid, a.body.facts[0].lh_object_uid];
      });
      assert.equal(new Set(uids).size, 40);
    } finally {
      await server.close();
    }
  });
});

describe('ArchivistClient.submitFacts / validateFacts', () => {
  test('submits, invalidates the supertype, and maps a refusal to BAD_REQUEST', async () => {
    const server = await start();
    const client = new ArchivistClient({ baseUrl: server.url, timeoutMs: 5000, retryAttempts: 2 });
    try {
      const before = await client.subtypesCone(PUMP);
      assert.equal(before.length, 1);
      const result = await client.submitFacts([newKind(1, 'peristaltic pump')]);
      assert.equal(result.facts.length, 1);
      const after = await client.subtypesCone(PUMP);
      assert.equal(after.length, 2, 'the cached cone of the supertype was invalidated');
      const verdicts = await client.validateFacts([newKind(1, 'x'), { ...newKind(1, 'y'), rel_type_uid: 424242 }]);
      assert.deepEqual(
        verdicts.map((v) => v.isValid),
        [true, false],
      );
      await assert.rejects(
        client.submitFacts([{ ...newKind(1, 'z'), rh_object_uid: 123456789 }]),
        (err: unknown) =>
          err instanceof ClarityError &&
          err.code === 'BAD_REQUEST' &&
          /Archivist refused the submission/.test(err.message),
      );
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('ArchivistClient.submitFacts when the answer is lost', () => {
  test('reads back instead of resending; resends only what was not applied; without a read-back says "unknown"', async () => {
    const server = await start();
    const proxy = await startLossyHttpProxy(server.url);
    const client = new ArchivistClient({ baseUrl: proxy.url, timeoutMs: 5000, retryAttempts: 3 });
    const lookUp = (name: string) => async () => {
      const found = await client.search(name, true, { fresh: true });
      const fact = found.find((f) => f.rh_object_uid === PUMP && f.rel_type_uid === SPEC);
      return fact ? [fact] : null;
    };
    const posts = () => server.stats.count('/fact/facts');
    const named = async (name: string) =>
      ((await get(server, `/generalSearch/text?searchTerm=${encodeURIComponent(name)}&exactMatch=true`)) as Fact[])
        .length;
    try {
      // applied, answer lost: the read-back finds it, nothing is sent again
      const warm = await client.subtypesCone(PUMP);
      proxy.arm('after');
      const applied = await client.submitFacts([newKind(1, 'lost answer pump')], {
        reconcile: lookUp('lost answer pump'),
      });
      assert.equal(applied.reconciled, true);
      assert.equal(applied.facts[0]!.lh_object_name, 'lost answer pump');
      assert.equal(posts(), 1, 'sent once');
      assert.equal(await named('lost answer pump'), 1);
      assert.equal((await client.subtypesCone(PUMP)).length, warm.length + 1, 'the supertype was invalidated');

      // not applied (connection reset before it was forwarded): the read-back finds nothing, it is sent again once
      proxy.arm('before');
      const resent = await client.submitFacts([newKind(1, 'second try pump')], {
        reconcile: lookUp('second try pump'),
      });
      assert.equal(resent.reconciled, undefined);
      assert.equal(posts(), 2, 'the first attempt never reached the Archivist, the second did');
      assert.equal(await named('second try pump'), 1);

      // no read-back: never resent, the caller learns the outcome is unknown
      proxy.arm('after');
      await assert.rejects(
        client.submitFacts([newKind(1, 'unknown pump')]),
        (err: unknown) =>
          err instanceof ClarityError && err.code === 'ARCHIVIST_UNAVAILABLE' && /unknown/.test(err.message),
      );
      assert.equal(posts(), 3);
      assert.equal(await named('unknown pump'), 1, 'applied once, not twice');
    } finally {
      await client.close();
      await proxy.close();
      await server.close();
    }
  });
});
