import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { Redis } from 'ioredis';
import {
  databaseEnv,
  mintToken,
  realRedisUrl,
  startClarityProcess,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { connect, eventually, metricValue, request, type Envelope } from '../support/socket-client.js';
import { loadTable, topiniPath } from '../support/gellish-tables.js';
import { ANYTHING, Category } from '../../src/gellish/gellish-uids.js';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import { ConnectionQuotaCounter } from '../../src/gateway/user-connection-quota.js';

/**
 * The per-user and per-socket quotas of spec §3 against started Clarity processes
 * with real PostgreSQL and Redis: replicas A and B share one database, one Redis and
 * one Archivist; C runs alone without Redis (per-process counting) with small limits
 * and the default WS_RATE_LIMIT.
 */

type ConnectError = Error & { data?: { code?: string } };

const REDIS_URL = realRedisUrl() ?? 'redis://127.0.0.1:6379';
const UNKNOWN_UID = 987654321;
const KiB = 1024;
const MiB = 1024 * 1024;

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const redisUp = await redisReachable();
const skipNoRedis = redisUp ? undefined : `Redis at ${REDIS_URL} is not reachable`;

/** A user id of this run only (Redis and the database outlive a test run). */
const user = (name: string) => `quota-${name}-${randomUUID().slice(0, 8)}`;

async function refusedHandshake(url: string, token: string): Promise<ConnectError> {
  return connect(url, { token }).then(
    (s) => {
      s.close();
      return assert.fail('the handshake should be refused');
    },
    (e: ConnectError) => e,
  );
}

function assertQuota(r: Envelope, variable: string, what: string): void {
  assert.equal(r.success, false, `${what}: ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(r.code, 'QUOTA_EXCEEDED', `${what}: ${r.error}`);
  assert.match(r.error ?? '', new RegExp(`^Quota exceeded: .*\\(${variable}\\)$`), what);
}

describe('quotas across two replicas (shared PostgreSQL and Redis)', { skip: skipNoRedis }, () => {
  let archivist: ArchivistServer;
  let dir: string;
  let a: ClarityProcess;
  let b: ClarityProcess;
  let cleanupDb: () => Promise<void> = async () => undefined;
  const sockets: Socket[] = [];
  const usersSeen: string[] = [];
  const topini = existsSync(topiniPath()) ? topiniPath() : undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quotas-'));
    archivist = await startArchivistServer({
      dataFiles: [...bundledKnowledgeBasePaths(), ...(topini ? [topini] : [])],
      journalFile: join(dir, 'journal.jsonl'),
      logger: silentLogger,
    });
    const db = await databaseEnv();
    cleanupDb = db.cleanup;
    assert.ok(db.env.POSTGRES_HOST, 'the replicas share the real PostgreSQL (POSTGRES_HOST)');
    const env = {
      ...db.env,
      REDIS_URL,
      ARCHIVIST_URL: archivist.url,
      WS_RATE_LIMIT: '100000', // the quotas, not the rate limit, are under test here
      WS_MAX_PAYLOAD_BYTES: '3000000', // room for a state just over the default SESSION_STATE_MAX_BYTES
      SESSION_STORAGE_PER_USER_MB: '2',
      POSTGRES_MAX_CONNECTIONS: '10', // the PostgreSQL is shared with other tests
    };
    [a, b] = await Promise.all([startClarityProcess(env), startClarityProcess(env)]);
  });

  after(async () => {
    for (const s of sockets) s.close();
    for (const p of [a, b]) {
      if (!p) continue;
      const { code } = await p.stop();
      assert.equal(code, 0, p.output());
    }
    await archivist?.close();
    await cleanupDb();
    await rm(dir, { recursive: true, force: true });
  });

  async function client(url: string, sub: string): Promise<Socket> {
    usersSeen.push(sub);
    const s = await connect(url, { token: await mintToken(sub) });
    sockets.push(s);
    return s;
  }

  test('the 21st socket of a user is refused with QUOTA_EXCEEDED, spread over both replicas; another user connects', async () => {
    const alice = user('conn');
    const token = await mintToken(alice);
    usersSeen.push(alice);
    const mine: Socket[] = [];
    for (let i = 0; i < 20; i++) mine.push(await connect(i % 2 === 0 ? a.url : b.url, { token }));
    for (const url of [a.url, b.url]) {
      const error = await refusedHandshake(url, token);
      assert.equal(error.data?.code, 'QUOTA_EXCEEDED');
      assert.equal(error.message, 'Quota exceeded: at most 20 connections per user (WS_MAX_CONNECTIONS_PER_USER)');
    }
    const bob = await client(a.url, user('bystander'));
    const bobOnB = await client(b.url, user('bystander'));
    assert.equal(bob.connected && bobOnB.connected, true, 'another user still connects to both');
    assert.equal((await request(mine[0]!, 'clarity.model/get', { uid: Category.ROLE })).success, true);

    // A disconnect anywhere frees a slot everywhere; a refusal never took one.
    mine.shift()!.close(); // was on A
    await eventually(
      async () => {
        try {
          mine.push(await connect(b.url, { token }));
          return true;
        } catch {
          return false;
        }
      },
      15_000,
      'a slot freed on A is usable on B',
    );
    assert.equal((await refusedHandshake(a.url, token)).data?.code, 'QUOTA_EXCEEDED');
    for (const s of mine) s.close();
  });

  test('a storm of handshakes of one user over both replicas admits exactly the quota', async () => {
    const carol = user('storm');
    usersSeen.push(carol);
    const token = await mintToken(carol);
    const openBefore = [
      (await metricValue(a.url, 'clarity_websocket_connections_open')) ?? 0,
      (await metricValue(b.url, 'clarity_websocket_connections_open')) ?? 0,
    ];
    const attempts = await Promise.allSettled(
      Array.from({ length: 34 }, (_, i) => connect(i % 2 === 0 ? a.url : b.url, { token })),
    );
    const accepted = attempts.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const codes = attempts.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ConnectError).data?.code] : []));
    assert.equal(accepted.length, 20, 'no overshoot across replicas');
    assert.deepEqual(new Set(codes), new Set(['QUOTA_EXCEEDED']));
    const openNow =
      ((await metricValue(a.url, 'clarity_websocket_connections_open')) ?? 0) +
      ((await metricValue(b.url, 'clarity_websocket_connections_open')) ?? 0);
    assert.equal(openNow, openBefore[0]! + openBefore[1]! + 20, 'refused handshakes never became sockets');
    for (const s of accepted) s.close();
    // Every slot comes back: the full quota again.
    await eventually(
      async () => {
        const again = await Promise.allSettled(Array.from({ length: 20 }, () => connect(a.url, { token })));
        const ok = again.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        for (const s of ok) s.close();
        return ok.length === 20;
      },
      15_000,
      'the quota is free again after the disconnects',
    );
  });

  test(
    'the 1,001st subscription of a socket (default WS_MAX_SUBSCRIPTIONS) and an unknown uid are refused; unsubscribe frees',
    { skip: topini ? undefined : 'TOPini is absent: the bundled knowledge base has fewer than 1,001 entities' },
    async () => {
      const facts = await loadTable(topini!);
      const uids = [...new Set(facts.map((f) => f.lh_object_uid))].slice(0, 1001);
      assert.equal(uids.length, 1001);
      const s = await client(a.url, user('subs'));
      const unknown = await request(s, 'clarity.model/subscribe', { uid: UNKNOWN_UID });
      assert.deepEqual([unknown.code, unknown.error], ['NOT_FOUND', `Entity with UID ${UNKNOWN_UID} not found`]);
      const answers = await Promise.all(
        uids.slice(0, 1000).map((uid) => request(s, 'clarity.model/subscribe', { uid })),
      );
      const failed = answers.filter((r) => !r.success);
      assert.deepEqual(failed, [], 'the first 1,000 subscriptions are accepted');
      assert.equal((await request(s, 'clarity.model/subscribe', { uid: uids[0] })).success, true, 'again: no new one');
      const over = await request(s, 'clarity.model/subscribe', { uid: uids[1000] });
      assertQuota(over, 'WS_MAX_SUBSCRIPTIONS', 'the 1,001st');
      assert.equal(over.error, 'Quota exceeded: at most 1000 subscriptions per socket (WS_MAX_SUBSCRIPTIONS)');
      const other = await client(a.url, user('subs-other'));
      assert.equal((await request(other, 'clarity.model/subscribe', { uid: uids[1000] })).success, true);
      assert.deepEqual((await request(s, 'clarity.model/unsubscribe', { uid: uids[5] })).data, {
        uid: uids[5],
        subscribed: false,
      });
      assert.equal((await request(s, 'clarity.model/subscribe', { uid: uids[1000] })).success, true, 'freed');
    },
  );

  test('the 1,001st session of a user is refused, also when created concurrently over both replicas; deleting frees', async () => {
    const dave = user('sessions');
    const onA = await client(a.url, dave);
    const onB = await client(b.url, dave);
    const creates = await Promise.all(
      Array.from({ length: 1010 }, (_, i) =>
        request(i % 2 === 0 ? onA : onB, 'clarity.session/create', { name: `s${i}` }, 180_000),
      ),
    );
    const created = creates.filter((r) => r.success);
    const refused = creates.filter((r) => !r.success);
    assert.equal(created.length, 1000, 'exactly SESSIONS_PER_USER sessions');
    assert.equal(refused.length, 10);
    for (const r of refused) assertQuota(r, 'SESSIONS_PER_USER', 'session 1,001+');
    assert.match(refused[0]!.error!, /at most 1000 modelling sessions per user/);
    assert.equal((await request(onB, 'clarity.session/list', {})).data.total, 1000);

    const eve = await client(b.url, user('sessions-other'));
    assert.equal(
      (await request(eve, 'clarity.session/create', { name: 'mine' })).success,
      true,
      'others are unaffected',
    );

    for (const r of created.slice(0, 3)) {
      assert.equal((await request(onA, 'clarity.session/delete', { id: r.data.id })).success, true);
    }
    const again = await Promise.all(
      Array.from({ length: 4 }, (_, i) => request(i % 2 ? onA : onB, 'clarity.session/create', { name: `again ${i}` })),
    );
    assert.equal(again.filter((r) => r.success).length, 3, 'three deleted, three created');
    assertQuota(
      again.find((r) => !r.success)!,
      'SESSIONS_PER_USER',
      'full again',
    );
  });

  test('session state: over SESSION_STATE_MAX_BYTES is refused; a user’s states are held to SESSION_STORAGE_PER_USER_MB', async () => {
    const frank = user('storage');
    const onA = await client(a.url, frank);
    const onB = await client(b.url, frank);
    const blob = (bytes: number) => ({ b: 'x'.repeat(bytes - '{"b":""}'.length) });

    const exact = await request(onA, 'clarity.session/create', { name: 'exactly 1 MB', state: blob(MiB) });
    assert.equal(exact.success, true, JSON.stringify(exact).slice(0, 200));
    const over = await request(onA, 'clarity.session/create', { name: 'too big', state: blob(MiB + 1) });
    assertQuota(over, 'SESSION_STATE_MAX_BYTES', 'one state over the limit');
    assert.match(over.error!, /Parameter 'state' must not be larger than 1048576 bytes/);
    const grow = await request(onB, 'clarity.session/update', { id: exact.data.id, version: 1, state: blob(MiB + 1) });
    assertQuota(grow, 'SESSION_STATE_MAX_BYTES', 'an update over the limit');

    // 1 MiB stored; the quota is 2 MiB: three states of 300 KiB fit, the fourth does not.
    const parts = [];
    for (let i = 0; i < 4; i++) {
      parts.push(
        await request(i % 2 ? onA : onB, 'clarity.session/create', { name: `part ${i}`, state: blob(300 * KiB) }),
      );
    }
    assert.deepEqual(
      parts.map((r) => r.success),
      [true, true, true, false],
    );
    assertQuota(parts[3]!, 'SESSION_STORAGE_PER_USER_MB', 'storage per user');
    assert.match(parts[3]!.error!, /at most 2097152 bytes of session state per user/);
    // A state that grows past the quota is refused, one that shrinks always passes.
    const id = parts[0]!.data.id;
    assertQuota(
      await request(onA, 'clarity.session/update', { id, version: 1, state: blob(600 * KiB) }),
      'SESSION_STORAGE_PER_USER_MB',
      'an update that grows',
    );
    const shrunk = await request(onB, 'clarity.session/update', { id, version: 1, state: blob(10 * KiB) });
    assert.equal(shrunk.success, true, JSON.stringify(shrunk).slice(0, 200));
    assert.equal(shrunk.data.version, 2);
    // Deleting the big one frees its megabyte.
    assert.equal((await request(onB, 'clarity.session/delete', { id: exact.data.id })).success, true);
    const fits = await request(onA, 'clarity.session/create', { name: 'after delete', state: blob(900 * KiB) });
    assert.equal(fits.success, true, JSON.stringify(fits).slice(0, 200));
  });

  test('/metrics shows the quota figures by quota, never a user id', async () => {
    const texts = await Promise.all([a, b].map(async (p) => (await fetch(`${p.url}/metrics`)).text()));
    for (const quota of [
      'connections_per_user',
      'sessions_per_user',
      'session_state_bytes',
      'session_storage_bytes_per_user',
    ]) {
      const total =
        ((await metricValue(a.url, 'clarity_quota_rejections_total', `{quota="${quota}"}`)) ?? 0) +
        ((await metricValue(b.url, 'clarity_quota_rejections_total', `{quota="${quota}"}`)) ?? 0);
      assert.ok(total > 0, `refusals of ${quota} are counted`);
    }
    if (topini) {
      assert.ok(
        ((await metricValue(a.url, 'clarity_quota_rejections_total', '{quota="subscriptions_per_socket"}')) ?? 0) >= 1,
      );
    }
    const limits: Array<[string, number]> = [
      ['connections_per_user', 20],
      ['subscriptions_per_socket', 1000],
      ['sessions_per_user', 1000],
      ['session_state_bytes', MiB],
      ['session_storage_bytes_per_user', 2 * MiB],
    ];
    for (const [quota, value] of limits) {
      assert.equal(await metricValue(b.url, 'clarity_quota_limit', `{quota="${quota}"}`), value, quota);
    }
    for (const text of texts) {
      for (const id of usersSeen) assert.ok(!text.includes(id), `no user id (${id}) in /metrics`);
      assert.doesNotMatch(text, /quota-[a-z-]+-[0-9a-f]{8}/);
    }
  });
});

describe('quotas of a single process without Redis, and the rate limiter charging a batch its cost', () => {
  let c: ClarityProcess;
  let cleanupDb: () => Promise<void> = async () => undefined;
  const sockets: Socket[] = [];

  before(async () => {
    const db = await databaseEnv();
    cleanupDb = db.cleanup;
    // WS_RATE_LIMIT is left at its default (100 per second).
    c = await startClarityProcess({
      ...db.env,
      WS_MAX_CONNECTIONS: '8',
      WS_MAX_CONNECTIONS_PER_USER: '3',
      WS_MAX_SUBSCRIPTIONS: '5',
    });
  });

  after(async () => {
    for (const s of sockets) s.close();
    if (c) {
      const { code } = await c.stop();
      assert.equal(code, 0, c.output());
    }
    await cleanupDb();
  });

  async function client(sub: string): Promise<Socket> {
    const s = await connect(c.url, { token: await mintToken(sub) });
    sockets.push(s);
    return s;
  }

  test('without Redis the process counts a user’s sockets itself; refusals leak no process slot', async () => {
    const token = await mintToken('solo');
    const mine = await Promise.all([1, 2, 3].map(() => connect(c.url, { token })));
    sockets.push(...mine);
    const error = await refusedHandshake(c.url, token);
    assert.deepEqual(
      [error.data?.code, error.message],
      ['QUOTA_EXCEEDED', 'Quota exceeded: at most 3 connections per user (WS_MAX_CONNECTIONS_PER_USER)'],
    );
    const refusals = await Promise.allSettled(Array.from({ length: 10 }, () => connect(c.url, { token })));
    assert.ok(
      refusals.every((r) => r.status === 'rejected' && (r.reason as ConnectError).data?.code === 'QUOTA_EXCEEDED'),
    );
    // WS_MAX_CONNECTIONS is 8: after 11 refusals the other 5 slots are all still there, and no more.
    const tokens = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => mintToken(`other-${i}`)));
    const others = await Promise.all(tokens.slice(0, 5).map((t) => connect(c.url, { token: t })));
    assert.equal((await refusedHandshake(c.url, tokens[5]!)).data?.code, 'CAPACITY');
    for (const s of others) s.close();
    await eventually(
      async () => (await metricValue(c.url, 'clarity_websocket_connections_open')) === 3,
      15_000,
      'the other users gone',
    );
    assert.equal((await client('someone-else')).connected, true);
    mine[0]!.close();
    await eventually(
      async () =>
        connect(c.url, { token }).then(
          (s) => (sockets.push(s), true),
          () => false,
        ),
      15_000,
      'a closed socket frees its slot',
    );
  });

  test('a small WS_MAX_SUBSCRIPTIONS is held per socket', async () => {
    const s = await client('subscriber');
    const uids = [Category.PHYSICAL_OBJECT, Category.ASPECT, Category.ROLE, Category.RELATION, Category.OCCURRENCE];
    for (const uid of uids) assert.equal((await request(s, 'clarity.model/subscribe', { uid })).success, true);
    const sixth = await request(s, 'clarity.model/subscribe', { uid: ANYTHING });
    assertQuota(sixth, 'WS_MAX_SUBSCRIPTIONS', 'the sixth');
    assert.equal((await request(s, 'clarity.model/subscribe', { uid: UNKNOWN_UID })).code, 'QUOTA_EXCEEDED');
    await request(s, 'clarity.model/unsubscribe', { uid: Category.ROLE });
    assert.equal((await request(s, 'clarity.model/subscribe', { uid: UNKNOWN_UID })).code, 'NOT_FOUND');
    assert.equal((await request(s, 'clarity.model/subscribe', { uid: ANYTHING })).success, true);
  });

  test('batches are charged their size: at most WS_RATE_LIMIT models per second reach the engine', async () => {
    const s = await client('batcher');
    const uids = Array.from({ length: 50 }, (_, i) => [Category.ROLE, Category.ASPECT][i % 2]!);
    // Warm the models, then let the bucket refill completely.
    assert.equal(
      (await request(s, 'clarity.model/get-batch', { uids: [Category.ROLE, Category.ASPECT] })).success,
      true,
    );
    await new Promise((r) => setTimeout(r, 1100));
    const batches = 20;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: batches }, () => request(s, 'clarity.model/get-batch', { uids, includeFacts: false })),
    );
    const seconds = (performance.now() - started) / 1000;
    const served = answers.filter((r) => r.success).length;
    const limited = answers.filter((r) => r.code === 'RATE_LIMITED').length;
    assert.equal(
      served + limited,
      batches,
      JSON.stringify(answers.find((r) => !r.success && r.code !== 'RATE_LIMITED')),
    );
    // A full bucket of 100 pays for two batches of 50, whatever the timing…
    assert.ok(served >= 2, `served ${served}`);
    // …and never more than the bucket plus its refill during the run: 100 + 100 per second.
    assert.ok(
      served * uids.length <= 100 + 100 * seconds,
      `${served} batches of ${uids.length} (${served * uids.length} models) in ${seconds.toFixed(2)} s`,
    );
    assert.ok(limited > 0);
    assert.equal(s.connected, true);
  });
});

describe('connection leases in Redis expire when their replica stops renewing them', { skip: skipNoRedis }, () => {
  test('a crashed replica’s sockets stop counting after the lease TTL; live ones are renewed', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keyPrefix = `test:quota-leases:${randomUUID()}:`;
    const options = { max: 2, leaseTtlMs: 3000, heartbeatMs: 300, keyPrefix };
    const crashed = new ConnectionQuotaCounter(options, redis);
    const survivor = new ConnectionQuotaCounter(options, redis);
    try {
      assert.ok(await crashed.tryAcquire('u1'));
      assert.ok(await crashed.tryAcquire('u1'));
      assert.ok(await survivor.tryAcquire('u2'));
      assert.ok(await survivor.tryAcquire('u2'));
      assert.equal(await survivor.tryAcquire('u1'), undefined, 'the quota holds across counters');
      crashed.abandon(); // no release, no more heartbeats
      const since = Date.now();
      await eventually(async () => (await survivor.tryAcquire('u1')) !== undefined, 15_000, 'expired leases free');
      assert.ok(Date.now() - since >= 2000, 'not before the lease TTL');
      // u2's leases are older than the TTL but renewed by the heartbeat.
      assert.equal(await survivor.tryAcquire('u2'), undefined);
    } finally {
      crashed.abandon();
      await survivor.close();
      const keys = await redis.keys(`${keyPrefix}*`);
      assert.deepEqual(keys, [], 'close() removed the survivor’s leases; the expired ones are gone');
      redis.disconnect();
    }
  });
});
