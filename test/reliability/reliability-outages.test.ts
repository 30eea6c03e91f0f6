import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { Category } from '../../src/gellish/gellish-uids.js';
import { eventually, nextEvent, request, type Envelope } from '../support/socket-client.js';
import {
  assertEnvelope,
  health,
  readiness,
  sleep,
  startService,
  type ReliabilityService,
} from '../support/reliability-kit.js';
import { startSwitchableArchivist, type SwitchableArchivist } from '../support/reliability-archivist.js';
import { privateRedis, redisServerUnavailable, type PrivateRedis } from '../support/reliability-redis.js';
import { ensureClusterRunning, localCluster, restartCluster } from '../support/db-cluster.js';
import { realPostgres } from '../support/clarity-process.js';
import {
  bundledKnowledgeBasePaths,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';

/**
 * Dependency outages with Clarity started and clients connected: the
 * Archivist (down at start, down mid-run, slow, 500, garbage), Redis (down at
 * start, mid-run) and PostgreSQL (restarted). Clients get fast, well-formed
 * errors, /health tells the truth, and the service recovers by itself.
 */

const ARCHIVIST_TIMEOUT_MS = 500;
/** A generous bound for "fails fast": retries × timeout + back-off, far below a 30 s default timeout. */
const FAST_MS = 8_000;

async function timed(socket: Socket, event: string, payload: unknown): Promise<{ r: Envelope; ms: number }> {
  const started = Date.now();
  const r = await request(socket, event, payload, 20_000);
  assertEnvelope(r, `${event} ${JSON.stringify(payload)}`);
  return { r, ms: Date.now() - started };
}

function assertArchivistFailure(r: Envelope, ms: number, codes: string[], context: string): void {
  assert.equal(r.success, false, `${context}: ${JSON.stringify(r)}`);
  assert.ok(codes.includes(r.code!), `${context}: ${r.code} ${r.error}`);
  assert.ok(ms < FAST_MS, `${context}: answered after ${ms} ms`);
  assert.doesNotMatch(r.error!, /java|NullPointer|<html>|oops/i, 'nothing of the upstream body reaches the client');
}

describe('reliability: Archivist outages', () => {
  let archivist: SwitchableArchivist;
  let service: ReliabilityService;
  let socket: Socket;
  /** Uids nobody asked for yet: nothing is cached for them, so only the Archivist can answer. */
  let counter = 0;
  const next = (): number => 900_000_000 + ++counter;

  before(async () => {
    archivist = await startSwitchableArchivist({ initialMode: 'down' });
    service = await startService({
      ARCHIVIST_URL: archivist.url,
      ARCHIVIST_TIMEOUT: String(ARCHIVIST_TIMEOUT_MS),
      ARCHIVIST_RETRY_ATTEMPTS: '2',
      WS_RATE_LIMIT: '10000',
    });
    socket = await service.client('ops');
  });

  after(async () => {
    await service?.close();
    await archivist?.close();
  });

  /** The Archivist is back: a never-asked uid is answered by it (NOT_FOUND), and /health says so. */
  async function recovers(context: string): Promise<void> {
    await archivist.setMode('up');
    await eventually(
      async () => (await request(socket, 'clarity.model/get', { uid: next() })).code === 'NOT_FOUND',
      20_000,
      `${context}: the Archivist answers again`,
    );
    const model = await request(socket, 'clarity.model/get', { uid: Category.OCCURRENCE });
    assert.equal(model.success, true, `${context}: ${JSON.stringify(model)}`);
    await eventually(
      async () => (await health(service.clarity.url)).dependencies.archivist === 'available',
      10_000,
      `${context}: health available`,
    );
    assert.equal((await health(service.clarity.url)).status, 'healthy');
  }

  /** Each scenario starts from a working Archivist and a closed breaker. */
  async function fromHealthy(): Promise<void> {
    if (archivist.mode !== 'up') await recovers('previous scenario');
  }

  test('down at start: Clarity starts, answers ARCHIVIST_UNAVAILABLE fast, is not ready, then recovers', async () => {
    const ready = await readiness(service.clarity.url);
    assert.equal(ready, 503, 'not ready before the Archivist answered');
    const h = await health(service.clarity.url);
    assert.equal(h.dependencies.archivist, 'unavailable');
    assert.equal(h.status, 'degraded');
    for (let i = 0; i < 8; i++) {
      const { r, ms } = await timed(socket, 'clarity.model/get', { uid: Category.ROLE });
      assertArchivistFailure(r, ms, ['ARCHIVIST_UNAVAILABLE'], `down at start #${i}`);
      assert.equal(r.error, 'Archivist service unavailable');
    }
    // Local features keep working.
    const created = await request(socket, 'clarity.session/create', { name: 'during the outage' });
    assert.equal(created.success, true, JSON.stringify(created));
    await recovers('down at start');
    assert.equal(await readiness(service.clarity.url), 200);
  });

  test('down mid-run: cached models are still served, others fail fast, writes fail cleanly, then recovery', async () => {
    await fromHealthy();
    const cached = await request(socket, 'clarity.model/get', { uid: Category.ROLE });
    assert.equal(cached.success, true);
    await archivist.setMode('down');
    const again = await request(socket, 'clarity.model/get', { uid: Category.ROLE });
    assert.equal(again.success, true, 'a cached model is served during the outage');
    for (let i = 0; i < 6; i++) {
      const { r, ms } = await timed(socket, 'clarity.model/get', { uid: next() });
      assertArchivistFailure(r, ms, ['ARCHIVIST_UNAVAILABLE'], `down mid-run #${i}`);
    }
    const write = await timed(socket, 'clarity.model/update-definition', {
      uid: Category.ROLE,
      partial_definition: 'not written',
      full_definition: 'not written',
    });
    assertArchivistFailure(write.r, write.ms, ['ARCHIVIST_UNAVAILABLE'], 'write while down');
    assert.equal((await health(service.clarity.url)).dependencies.archivist, 'unavailable');
    assert.equal(await readiness(service.clarity.url), 200, 'an outage after start does not make the pod unready');
    await recovers('down mid-run');
  });

  test(`slow beyond ARCHIVIST_TIMEOUT (${ARCHIVIST_TIMEOUT_MS} ms): ARCHIVIST_UNAVAILABLE within the bound, then recovery`, async () => {
    await fromHealthy();
    archivist.slowMs = 3000;
    await archivist.setMode('slow');
    for (let i = 0; i < 4; i++) {
      const { r, ms } = await timed(socket, 'clarity.model/get', { uid: next() });
      assertArchivistFailure(r, ms, ['ARCHIVIST_UNAVAILABLE'], `slow #${i}`);
    }
    assert.equal((await health(service.clarity.url)).dependencies.archivist, 'unavailable');
    await recovers('slow');
  });

  test('answering 500: ARCHIVIST_ERROR (or UNAVAILABLE once the breaker opened) without the upstream body, then recovery', async () => {
    await fromHealthy();
    await archivist.setMode('error500');
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { r, ms } = await timed(socket, 'clarity.model/get', { uid: next() });
      assertArchivistFailure(r, ms, ['ARCHIVIST_ERROR', 'ARCHIVIST_UNAVAILABLE'], `500 #${i}`);
      codes.push(r.code!);
    }
    assert.equal(codes[0], 'ARCHIVIST_ERROR');
    assert.equal((await health(service.clarity.url)).dependencies.archivist, 'unavailable');
    await recovers('500');
  });

  test('answering garbage: ARCHIVIST_ERROR, /health unavailable, then recovery', async () => {
    await fromHealthy();
    await archivist.setMode('garbage');
    for (let i = 0; i < 3; i++) {
      const { r, ms } = await timed(socket, 'clarity.model/get', { uid: next() });
      assertArchivistFailure(r, ms, ['ARCHIVIST_ERROR'], `garbage #${i}`);
    }
    assert.equal((await health(service.clarity.url)).dependencies.archivist, 'unavailable');
    await recovers('garbage');
  });
});

const noRedis = redisServerUnavailable();

describe('reliability: Redis outages', { skip: noRedis }, () => {
  let redis: PrivateRedis;
  let archivist: ArchivistServer;
  let service: ReliabilityService;
  let socket: Socket;

  before(async () => {
    redis = await privateRedis({ started: false });
    // A shared Archivist, so a second replica's updates are visible to the first.
    archivist = await startArchivistServer({ dataFiles: bundledKnowledgeBasePaths(), port: 0 });
    service = await startService({ REDIS_URL: redis.url, ARCHIVIST_URL: archivist.url, WS_RATE_LIMIT: '10000' });
    socket = await service.client('ops');
  });

  after(async () => {
    await service?.close();
    await redis?.close();
    await archivist?.close();
  });

  test('down at start: Clarity starts and serves from the in-process cache, then joins the other replicas through Redis', async () => {
    const h = await health(service.clarity.url);
    assert.equal(h.dependencies.cache, 'unavailable');
    assert.equal(h.status, 'degraded');
    for (const uid of [Category.ROLE, Category.ROLE, Category.ASPECT]) {
      const r = await request(socket, 'clarity.model/get', { uid });
      assert.equal(r.success, true, JSON.stringify(r));
    }
    // Live updates still reach subscribers on this replica.
    await request(socket, 'clarity.model/subscribe', { uid: Category.ASPECT });
    const notified = nextEvent(socket, 'clarity.model/updated');
    const u = await request(socket, 'clarity.model/update-definition', {
      uid: Category.ASPECT,
      partial_definition: 'edited without Redis',
      full_definition: 'edited without Redis',
    });
    assert.equal(u.success, true, JSON.stringify(u));
    assert.equal((await notified).payload.uid, Category.ASPECT);
    await redis.start();
    await eventually(
      async () => (await health(service.clarity.url)).dependencies.cache === 'connected',
      20_000,
      'cache connected',
    );
    assert.equal((await health(service.clarity.url)).status, 'healthy');

    // A second replica on the same Redis: its update reaches this replica's subscriber
    // (Socket.IO adapter) and evicts this replica's cached model (cache invalidation channel).
    const cached = await request(socket, 'clarity.model/get', { uid: Category.ASPECT });
    assert.equal(cached.success, true);
    const other = await startService({ REDIS_URL: redis.url, ARCHIVIST_URL: archivist.url });
    try {
      const remote = await other.client('ops');
      const text = `edited on the other replica ${Date.now()}`;
      const fromOther = nextEvent(socket, 'clarity.model/updated', 10_000);
      const r = await request(remote, 'clarity.model/update-definition', {
        uid: Category.ASPECT,
        partial_definition: text,
        full_definition: text,
      });
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal((await fromOther).payload.uid, Category.ASPECT, 'the notification crossed replicas');
      await eventually(
        async () => {
          const m = await request(socket, 'clarity.model/get', { uid: Category.ASPECT });
          return m.data.definitions.some((d: { partial_definition: string }) => d.partial_definition === text);
        },
        10_000,
        "the other replica's update evicted the cached model here",
      );
    } finally {
      await other.close();
    }
  });

  test('down mid-run: requests keep being served, health says unavailable, Redis comes back by itself', async () => {
    const warm = await request(socket, 'clarity.model/get', { uid: Category.OCCURRENCE });
    assert.equal(warm.success, true);
    await redis.kill();
    await eventually(
      async () => (await health(service.clarity.url)).dependencies.cache === 'unavailable',
      10_000,
      'cache unavailable',
    );
    for (const uid of [Category.OCCURRENCE, Category.RELATION, Category.PHYSICAL_OBJECT]) {
      const r = await request(socket, 'clarity.model/get', { uid }, 10_000);
      assert.equal(r.success, true, JSON.stringify(r));
    }
    const notified = nextEvent(socket, 'clarity.model/updated');
    const u = await request(socket, 'clarity.model/update-definition', {
      uid: Category.ASPECT,
      partial_definition: 'edited while Redis is down',
      full_definition: 'edited while Redis is down',
    });
    assert.equal(u.success, true, JSON.stringify(u));
    assert.equal((await notified).payload.uid, Category.ASPECT);
    const model = await request(socket, 'clarity.model/get', { uid: Category.ASPECT });
    assert.ok(
      model.data.definitions.some(
        (d: { partial_definition: string }) => d.partial_definition === 'edited while Redis is down',
      ),
      'the update invalidated the in-process cache',
    );
    await redis.start();
    await eventually(
      async () => (await health(service.clarity.url)).dependencies.cache === 'connected',
      20_000,
      'cache connected again',
    );
    const r = await request(socket, 'clarity.model/get', { uid: Category.ROLE });
    assert.equal(r.success, true);
    assert.doesNotMatch(service.clarity.output(), /Unhandled rejection/);
  });
});

const cluster = localCluster();
const pgSkip = !realPostgres()
  ? 'POSTGRES_HOST is not set (embedded PostgreSQL)'
  : !cluster
    ? 'no local PostgreSQL cluster to restart'
    : undefined;

describe('reliability: PostgreSQL restart', { skip: pgSkip }, () => {
  let service: ReliabilityService;

  before(async () => {
    service = await startService({ WS_RATE_LIMIT: '10000' });
  });

  after(async () => {
    await ensureClusterRunning(); // always: other tests share this cluster
    await service?.close();
  });

  test('sessions fail cleanly during the restart and no acknowledged write is lost', async (t) => {
    const writers = await Promise.all([service.client('w1'), service.client('w2')]);
    const acked = new Map<string, { owner: number; name: string }>();
    const failures = new Map<string, number>();
    let stop = false;
    const loops = writers.map(async (socket, owner) => {
      for (let i = 0; !stop; i++) {
        const name = `w${owner}-${i}`;
        const r = await request(socket, 'clarity.session/create', { name, state: { i } }, 20_000);
        assertEnvelope(r, name);
        if (r.success) acked.set(r.data.id as string, { owner, name });
        else failures.set(r.code!, (failures.get(r.code!) ?? 0) + 1);
        if (!r.success) assert.equal(r.error, 'Database unavailable', JSON.stringify(r));
        await sleep(20);
      }
    });
    await eventually(() => acked.size >= 10, 15_000, 'writes before the restart');
    await restartCluster();
    const afterRestart = acked.size;
    await eventually(() => acked.size >= afterRestart + 10, 30_000, 'writes after the restart');
    stop = true;
    await Promise.all(loops);
    t.diagnostic(`${acked.size} sessions acknowledged, failures during the restart: ${JSON.stringify([...failures])}`);
    for (const code of failures.keys()) assert.equal(code, 'INTERNAL');
    // Every acknowledged session is there, with what was written.
    for (const [owner, socket] of writers.entries()) {
      const mine = [...acked].filter(([, v]) => v.owner === owner);
      for (const [id, { name }] of mine) {
        const r = await request(socket, 'clarity.session/get', { id });
        assert.equal(r.success, true, `acknowledged session ${name} lost: ${JSON.stringify(r)}`);
        assert.equal(r.data.name, name);
      }
    }
    const h = await health(service.clarity.url);
    assert.equal(h.dependencies.database, 'connected');
  });
});
