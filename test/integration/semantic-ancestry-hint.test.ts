import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import type { Fact } from '../../src/gellish/fact.js';
import { ANYTHING, Category, RelationType } from '../../src/gellish/gellish-uids.js';
import { SemanticModelEngine } from '../../src/semantic/semantic-model-engine.js';

/**
 * The embedded Archivist's optional `ancestors=true` on the structural read
 * (/fact/allRelatedFacts with exclude=subtypes,instances): the answer names the
 * entity's ancestry, and the engine reads all of it at once instead of one level of
 * supertypes after the other. Against an Archivist that ignores the parameter (a proxy
 * that drops it before the real embedded Archivist), the models and the number of
 * Archivist calls are the same.
 */
const [A, B, C, D] = [96_000_001, 96_000_002, 96_000_003, 96_000_004];
const WIDGET_1 = 96_000_010;
const ASPECT_FACT = 97_000_100;

function chainFacts(): Fact[] {
  let next = 97_000_000;
  const fact = (lh: number, lhName: string, rel: number, relName: string, rh: number, rhName: string): Fact => ({
    fact_uid: next++,
    lh_object_uid: lh,
    lh_object_name: lhName,
    rel_type_uid: rel,
    rel_type_name: relName,
    rh_object_uid: rh,
    rh_object_name: rhName,
  });
  const spec = (lh: number, lhName: string, rh: number, rhName: string) =>
    fact(lh, lhName, RelationType.SPECIALIZATION, 'is a specialization of', rh, rhName);
  return [
    spec(D, 'device', Category.PHYSICAL_OBJECT, 'physical object'),
    spec(C, 'machine', D, 'device'),
    spec(B, 'rotating machine', C, 'machine'),
    spec(A, 'pump', B, 'rotating machine'),
    fact(WIDGET_1, 'P-1', RelationType.CLASSIFICATION, 'is classified as a', A, 'pump'),
    { ...fact(A, 'pump', 2069, 'can have as aspect a', Category.ASPECT, 'aspect'), fact_uid: ASPECT_FACT },
  ];
}

function toCsv(facts: readonly Fact[]): string {
  const q = (v: string | number) => `"${String(v).replaceAll('"', '""')}"`;
  const rows = facts.map((f) =>
    [f.fact_uid, f.lh_object_uid, f.lh_object_name, f.rel_type_uid, f.rel_type_name, f.rh_object_uid, f.rh_object_name]
      .map(q)
      .join(','),
  );
  return ['1,2,101,60,3,15,201', ...rows].join('\n') + '\n';
}

/**
 * A proxy in front of the embedded Archivist. `dropAncestors`: the parameter is removed
 * (an Archivist that ignores it). `gate`: structural reads of those uids are held until
 * all of them have arrived (they were asked for at once); after 5 s they are let through
 * and `gateGaveUp` is set, so a client that asks one after the other fails the test
 * instead of hanging it.
 */
async function startProxy(target: string, dropAncestors: boolean) {
  const upstream = new URL(target);
  const state = { gate: new Set<number>(), held: [] as Array<() => void>, gateGaveUp: false, calls: 0 };
  let timer: NodeJS.Timeout | undefined;
  const release = (): void => {
    clearTimeout(timer);
    const held = state.held;
    state.held = [];
    state.gate = new Set();
    for (const forward of held) forward();
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://archivist');
    if (dropAncestors) url.searchParams.delete('ancestors');
    if (!url.pathname.startsWith('/health')) state.calls++;
    const forward = (): void => {
      const proxied = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: `${url.pathname}${url.search}`,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      proxied.on('error', () => res.destroy());
      req.pipe(proxied);
    };
    const uid = Number(url.searchParams.get('uid'));
    if (url.pathname === '/fact/allRelatedFacts' && state.gate.has(uid)) {
      state.held.push(forward);
      if (state.held.length === 1) {
        timer = setTimeout(() => {
          state.gateGaveUp = true;
          release();
        }, 5000);
      }
      if (state.held.length === state.gate.size) release();
      return;
    }
    forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('the ancestry hint of the structural read', () => {
  let dir: string;
  let archivist: ArchivistServer;
  let hinting: Awaited<ReturnType<typeof startProxy>>;
  let ignoring: Awaited<ReturnType<typeof startProxy>>;
  const clients: ArchivistClient[] = [];
  const clientOf = (url: string): ArchivistClient => {
    const client = new ArchivistClient({ baseUrl: url, timeoutMs: 10_000, retryAttempts: 1 });
    clients.push(client);
    return client;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clarity-ancestry-'));
    const csv = join(dir, 'chain.csv');
    await writeFile(csv, toCsv(chainFacts()));
    archivist = await startArchivistServer({ dataFiles: [...bundledKnowledgeBasePaths(), csv], logger: silentLogger });
    hinting = await startProxy(archivist.url, false);
    ignoring = await startProxy(archivist.url, true);
  });
  after(async () => {
    for (const client of clients) await client.close();
    await hinting?.close();
    await ignoring?.close();
    await archivist?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the embedded Archivist answers the ancestry with ancestors=true (needs exclude)', async () => {
    const get = (query: string) => fetch(`${archivist.url}/fact/allRelatedFacts?${query}`);
    const answer = (await (await get(`uid=${A}&depth=1&exclude=subtypes,instances&ancestors=true`)).json()) as {
      ancestors: number[];
      items: Fact[];
    };
    assert.deepEqual(answer.ancestors.slice(0, 4), [B, C, D, Category.PHYSICAL_OBJECT]);
    assert.equal(answer.ancestors.at(-1), ANYTHING);
    const individual = (await (
      await get(`uid=${WIDGET_1}&depth=1&exclude=subtypes,instances&firstPageSize=10&ancestors=true`)
    ).json()) as { ancestors: number[] };
    assert.deepEqual(
      individual.ancestors.slice(0, 5),
      [A, B, C, D, Category.PHYSICAL_OBJECT],
      'through its classifier',
    );
    const without = (await (await get(`uid=${A}&depth=1&exclude=subtypes,instances`)).json()) as object;
    assert.equal('ancestors' in without, false, 'only when asked for');
    const refused = await get(`uid=${A}&depth=1&limit=5&ancestors=true`);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: string }).error, /ancestors needs exclude/);
  });

  test('the client hands the hint on when the Archivist gives it, and answers without it otherwise', async () => {
    const given = await clientOf(hinting.url).structuralFacts(A, 200, true);
    assert.deepEqual(given.ancestors?.slice(0, 3), [B, C, D]);
    const notAsked = await clientOf(hinting.url).structuralFacts(A, 200);
    assert.equal(notAsked.ancestors, undefined);
    const ignored = await clientOf(ignoring.url).structuralFacts(A, 200, true);
    assert.equal(ignored.ancestors, undefined);
    assert.deepEqual(
      ignored.facts.map((f) => f.fact_uid),
      given.facts.map((f) => f.fact_uid),
    );
  });

  test('with the hint the ancestors are read at once; the models and the call count are those without it', async () => {
    const uids = [A, WIDGET_1, B, D, Category.PHYSICAL_OBJECT, ANYTHING];
    const run = async (proxy: typeof hinting, gate: number[]) => {
      const engine = new SemanticModelEngine(clientOf(proxy.url));
      await engine.getModel(ANYTHING); // the relation-type hierarchy, as any first model
      proxy.state.calls = 0;
      proxy.state.gate = new Set(gate);
      const models = [];
      for (const uid of uids) models.push(JSON.stringify(await engine.getModel(uid)));
      const lineage = await engine.lineage(A);
      return { models, calls: proxy.state.calls, lineage };
    };
    // A's ancestors below "physical object" are read in one round, held until all three have arrived.
    const hinted = await run(hinting, [B, C, D]);
    assert.equal(hinting.state.gateGaveUp, false, 'B, C and D were asked for at once');
    const plain = await run(ignoring, []);
    assert.deepEqual(hinted.models, plain.models, 'the same models, byte for byte');
    assert.equal(hinted.calls, plain.calls, 'the same number of Archivist calls');
    assert.deepEqual(hinted.lineage, plain.lineage);
    assert.deepEqual(hinted.lineage?.ancestors.slice(0, 4), [B, C, D, Category.PHYSICAL_OBJECT]);
    const pump = JSON.parse(hinted.models[0]!) as { supertypes: number[]; aspects: Array<{ fact_uid: number }> };
    assert.deepEqual(pump.supertypes, [B]);
    assert.ok(pump.aspects.some((a) => a.fact_uid === ASPECT_FACT));
  });

  test('lineage reads the ancestry at once too', async () => {
    const engine = new SemanticModelEngine(clientOf(hinting.url));
    await engine.getModel(ANYTHING);
    hinting.state.gate = new Set([B, C, D]);
    const lineage = await engine.lineage(A);
    assert.equal(hinting.state.gateGaveUp, false, 'B, C and D were asked for at once');
    assert.deepEqual(lineage?.ancestors.slice(0, 3), [B, C, D]);
  });
});
