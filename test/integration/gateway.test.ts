import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { JwtService } from '@nestjs/jwt';
import {
  databaseEnv,
  mintToken,
  realRedisUrl,
  startClarityProcess,
  TEST_JWT_SECRET,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { connect, eventually, metricValue, nextEvent, request } from '../support/socket-client.js';
import { Category } from '../../src/gellish/gellish-uids.js';
import { bundledKnowledgeBasePaths, startArchivistServer } from '../../src/archivist-server/index.js';

/**
 * The Socket.IO gateway against a started Clarity process (embedded Archivist on
 * the bundled knowledge base, real PostgreSQL), with real socket.io clients.
 */
describe('Socket.IO gateway', () => {
  let clarity: ClarityProcess;
  let cleanupDb: () => Promise<void>;
  let token: string;
  const sockets: Socket[] = [];

  before(async () => {
    const db = await databaseEnv();
    cleanupDb = db.cleanup;
    clarity = await startClarityProcess({
      ...db.env,
      WS_MAX_CONNECTIONS: '50',
      WS_RATE_LIMIT: '50',
      WS_MAX_PAYLOAD_BYTES: '65536',
      // The cap test opens every slot with one user's token: the per-user quota has its own test (quotas.test.ts).
      WS_MAX_CONNECTIONS_PER_USER: '1000',
    });
    token = await mintToken('alice');
  });

  after(async () => {
    for (const s of sockets) s.close();
    const { code } = await clarity.stop();
    assert.equal(code, 0, clarity.output());
    await cleanupDb();
  });

  async function client(sub = 'alice'): Promise<Socket> {
    const s = await connect(clarity.url, { token: sub === 'alice' ? token : await mintToken(sub) });
    sockets.push(s);
    return s;
  }

  describe('handshake authentication', () => {
    const refused = async (options: Parameters<typeof connect>[1]) => {
      const error = await connect(clarity.url, options).then(
        () => assert.fail('connection should be refused'),
        (e: Error & { data?: { code?: string } }) => e,
      );
      assert.equal(error.message, 'Unauthorized');
      assert.equal(error.data?.code, 'UNAUTHORIZED');
    };

    test('no token is refused', () => refused({}));
    test('a garbage token is refused', () => refused({ token: 'not.a.jwt' }));
    test('an expired token is refused', async () =>
      refused({
        token: await new JwtService({ secret: TEST_JWT_SECRET }).signAsync(
          { exp: Math.floor(Date.now() / 1000) - 3600 },
          { algorithm: 'HS256', subject: 'alice' },
        ),
      }));
    test('a token signed with another key is refused', async () =>
      refused({ token: await mintToken('alice', { secret: 'another-secret-another-secret-another-secret' }) }));
    test('alg none is refused', () => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return refused({ token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', exp: 9999999999 })}.` });
    });
    test('a valid token in auth.token connects', async () => {
      const s = await client();
      assert.equal(s.connected, true);
    });
    test('a valid token in an Authorization: Bearer header connects', async () => {
      const s = await connect(clarity.url, { headers: { Authorization: `Bearer ${token}` } });
      sockets.push(s);
      assert.equal(s.connected, true);
    });
  });

  describe('requests', () => {
    let s: Socket;
    before(async () => {
      s = await client();
    });

    test('model/get answers the model of physical object in the envelope', async () => {
      const before = Date.now();
      const r = await request(s, 'clarity.model/get', { uid: Category.PHYSICAL_OBJECT });
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(r.type, 'response');
      assert.match(r.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(typeof r.timestamp, 'number');
      assert.ok(r.timestamp >= before && r.timestamp <= Date.now(), `timestamp ${r.timestamp}`);
      assert.equal(r.data.uid, Category.PHYSICAL_OBJECT);
      assert.equal(r.data.category, 'physical object');
      assert.equal(r.data.nature, 'kind');
    });

    test('the wrapped payload returns its id as correlationId; numeric strings are uids', async () => {
      const r = await request(s, 'clarity.model/get', {
        id: 'req-42',
        type: 'request',
        payload: { uid: String(Category.ROLE) },
      });
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(r.correlationId, 'req-42');
      assert.equal(r.data.uid, Category.ROLE);
    });

    test('a warm model/get (memoised, answered without a promise) is the cold answer again, per options', async () => {
      const uid = Category.OCCURRENCE;
      const cold = await request(s, 'clarity.model/get', {
        id: 'c-1',
        type: 'request',
        payload: { uid, factsLimit: 3 },
      });
      const warm = await request(s, 'clarity.model/get', {
        id: 'c-2',
        type: 'request',
        payload: { uid, factsLimit: 3 },
      });
      assert.equal(cold.success && warm.success, true, JSON.stringify([cold, warm]));
      assert.deepEqual(warm.data, cold.data);
      assert.equal(warm.correlationId, 'c-2');
      assert.notEqual(warm.id, cold.id, 'each answer has its own id');
      assert.ok(warm.data.facts.length <= 3);
      const other = await request(s, 'clarity.model/get', { uid, includeFacts: false });
      assert.equal(other.success, true);
      assert.equal('facts' in other.data, false, 'other options are not served the memoised model of the first');
      const bad = await request(s, 'clarity.model/get', { uid, factsLimit: 0 });
      assert.equal(bad.code, 'BAD_REQUEST', 'parameters are validated before any cached answer');
    });

    test('aliases answer like their events', async () => {
      const r = await request(s, 'clarity/model-get', { uid: Category.ASPECT });
      assert.equal(r.success, true);
      assert.equal(r.data.category, 'aspect');
      const k = await request(s, 'clarity/kind-get', { uid: Category.ASPECT });
      assert.equal(k.data.nature, 'kind');
    });

    test('without an ack the answer comes back as an event of the same name', async () => {
      const answer = nextEvent(s, 'clarity.model/get');
      s.emit('clarity.model/get', { uid: Category.OCCURRENCE });
      const r = await answer;
      assert.equal(r.success, true);
      assert.equal(r.data.uid, Category.OCCURRENCE);
    });

    test('without an ack an alias is answered on the alias, not on the canonical name', async () => {
      let canonical = 0;
      const onCanonical = () => (canonical += 1);
      s.on('clarity.model/get', onCanonical);
      const answer = nextEvent(s, 'clarity/model-get');
      s.emit('clarity/model-get', { id: 'alias-1', type: 'request', payload: { uid: String(Category.ROLE) } });
      const r = await answer;
      s.off('clarity.model/get', onCanonical);
      assert.equal(r.success, true);
      assert.equal(r.correlationId, 'alias-1');
      assert.equal(r.data.uid, Category.ROLE);
      assert.equal(canonical, 0);
    });

    test('a wrapped request on an unknown event without an ack is answered BAD_REQUEST on that name', async () => {
      const answer = nextEvent(s, 'clarity/not-a-thing');
      s.emit('clarity/not-a-thing', { id: 'u-1', type: 'request', payload: {} });
      const r = await answer;
      assert.deepEqual(
        [r.success, r.code, r.error, r.correlationId],
        [false, 'BAD_REQUEST', "Unknown event 'clarity/not-a-thing'", 'u-1'],
      );
    });

    test('bad payloads get BAD_REQUEST naming the parameter', async () => {
      const missing = await request(s, 'clarity.model/get', {});
      assert.equal(missing.code, 'BAD_REQUEST');
      assert.equal(missing.error, "Required parameter 'uid' not provided");
      for (const uid of [-1, 0, 1.5, 'abc', '12abc', 1e300, [], {}, true]) {
        const r = await request(s, 'clarity.model/get', { uid });
        assert.equal(r.success, false);
        assert.equal(r.code, 'BAD_REQUEST', `uid ${JSON.stringify(uid)}`);
        assert.equal(r.error, "Parameter 'uid' must be a positive integer");
      }
      const arrayPayload = await request(s, 'clarity.model/get', [1, 2]);
      assert.equal(arrayPayload.code, 'BAD_REQUEST');
    });

    test('an unknown uid answers NOT_FOUND', async () => {
      const r = await request(s, 'clarity.model/get', { uid: 987654321 });
      assert.equal(r.code, 'NOT_FOUND');
      assert.equal(r.error, 'Entity with UID 987654321 not found');
    });

    test('kind/individual and category events refuse the wrong nature or category', async () => {
      const wrongNature = await request(s, 'clarity.individual/get', { uid: Category.PHYSICAL_OBJECT });
      assert.equal(wrongNature.code, 'WRONG_NATURE');
      const wrongCategory = await request(s, 'clarity.quintessential/get-role', { uid: Category.ASPECT });
      assert.equal(wrongCategory.code, 'WRONG_CATEGORY');
      const right = await request(s, 'clarity.quintessential/get-aspect', { uid: Category.ASPECT });
      assert.equal(right.success, true);
      for (const [event, uid] of [
        ['clarity.quintessential/get-physical-object', Category.PHYSICAL_OBJECT],
        ['clarity.quintessential/get-role', Category.ROLE],
        ['clarity.quintessential/get-occurrence', Category.OCCURRENCE],
        ['clarity.quintessential/get-relation', Category.RELATION],
      ] as const) {
        const r = await request(s, event, { uid });
        assert.equal(r.success, true, `${event}: ${JSON.stringify(r)}`);
      }
    });

    test('get-batch keeps order, answers null for unknown uids, allows duplicates', async () => {
      const uids = [Category.ROLE, 987654321, Category.PHYSICAL_OBJECT, Category.ROLE];
      const r = await request(s, 'clarity.model/get-batch', { uids });
      assert.equal(r.success, true, JSON.stringify(r));
      assert.deepEqual(
        r.data.map((m: { uid: number } | null) => (m ? m.uid : null)),
        [Category.ROLE, null, Category.PHYSICAL_OBJECT, Category.ROLE],
      );
      const tooMany = await request(s, 'clarity.model/get-batch', {
        uids: Array.from({ length: 101 }, (_, i) => i + 1),
      });
      assert.equal(tooMany.code, 'BAD_REQUEST');
      const empty = await request(s, 'clarity.model/get-batch', { uids: [] });
      assert.equal(empty.code, 'BAD_REQUEST');
    });

    test('facts/get-by-entity lists facts where the uid is left or right', async () => {
      const r = await request(s, 'clarity.facts/get-by-entity', { uid: Category.PHYSICAL_OBJECT });
      assert.equal(r.success, true);
      assert.ok(r.data.items.length > 0);
      assert.equal(r.data.total, r.data.items.length);
      assert.equal(r.data.nextCursor, null);
      for (const f of r.data.items) {
        assert.ok(f.lh_object_uid === Category.PHYSICAL_OBJECT || f.rh_object_uid === Category.PHYSICAL_OBJECT);
      }
    });

    test('an unknown event with an ack gets BAD_REQUEST; the socket stays usable', async () => {
      const r = await request(s, 'clarity.nothing/here', { uid: 1 });
      assert.equal(r.code, 'BAD_REQUEST');
      const ok = await request(s, 'clarity.model/get', { uid: Category.ROLE });
      assert.equal(ok.success, true);
    });

    test('update-definition changes the model, writes history and notifies subscribers', async () => {
      const watcher = await client('bob');
      const sub = await request(watcher, 'clarity.model/subscribe', { uid: Category.ASPECT });
      assert.deepEqual(sub.data, { uid: Category.ASPECT, subscribed: true });
      const notified = nextEvent(watcher, 'clarity.model/updated');
      const text = `a property of something (edited ${Date.now()})`;
      const r = await request(s, 'clarity.model/update-definition', {
        uid: Category.ASPECT,
        partial_definition: text,
        full_definition: `is a concept that is ${text}`,
      });
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(r.data.updated, true);
      assert.equal(r.data.partial_definition, text);
      const event = await notified;
      assert.equal(event.type, 'event');
      assert.equal(event.topic, 'clarity.model/updated');
      assert.equal(typeof event.timestamp, 'number');
      assert.ok(event.timestamp <= Date.now() && Date.now() - event.timestamp < 60_000);
      assert.equal(event.payload.uid, Category.ASPECT);
      assert.equal(event.payload.change.field, 'definition');
      assert.equal(event.payload.change.changedBy, 'alice');
      const model = await request(s, 'clarity.model/get', { uid: Category.ASPECT });
      assert.ok(model.data.definitions.some((d: { partial_definition: string }) => d.partial_definition === text));
      const history = await request(s, 'clarity.model/history', { uid: Category.ASPECT });
      assert.equal(history.success, true);
      assert.equal(history.data[0].field, 'definition');
      assert.equal(history.data[0].changedBy, 'alice');
      assert.deepEqual(history.data[0].newValue, {
        partial_definition: text,
        full_definition: `is a concept that is ${text}`,
      });
      assert.equal(typeof history.data[0].oldValue, 'object');
    });

    test('update-name and update-collection answer as the spec says', async () => {
      const name = await request(s, 'clarity.model/update-name', { uid: Category.OCCURRENCE, name: 'occurrence' });
      assert.equal(name.success, true, JSON.stringify(name));
      assert.deepEqual(Object.keys(name.data).sort(), ['fact_uid', 'name', 'updated']);
      const coll = await request(s, 'clarity.model/update-collection', {
        fact_uid: name.data.fact_uid,
        collection_uid: 990001,
        collection_name: 'edited concepts',
      });
      assert.equal(coll.success, true, JSON.stringify(coll));
      assert.equal(coll.data.collection_name, 'edited concepts');
      const missing = await request(s, 'clarity.model/update-collection', {
        fact_uid: 987654321,
        collection_uid: 1,
        collection_name: 'x',
      });
      assert.equal(missing.code, 'NOT_FOUND');
      const noName = await request(s, 'clarity.model/update-name', { uid: Category.OCCURRENCE, name: '' });
      assert.equal(noName.code, 'BAD_REQUEST');
    });

    test('sessions are created, listed and owned', async () => {
      const created = await request(s, 'clarity.session/create', { name: 'pumps', state: { open: [730044] } });
      assert.equal(created.success, true, JSON.stringify(created));
      const id = created.data.id;
      const listed = await request(s, 'clarity.session/list', {});
      assert.equal(listed.success, true);
      const other = await client('carol');
      const foreign = await request(other, 'clarity.session/get', { id });
      assert.equal(foreign.code, 'NOT_FOUND');
      const badId = await request(s, 'clarity.session/get', { id: "1' OR '1'='1" });
      assert.equal(badId.code, 'BAD_REQUEST');
    });
  });

  describe('limits', () => {
    test('a flooding client is rate limited without losing its socket', async () => {
      const s = await client();
      const answers = await Promise.all(
        Array.from({ length: 200 }, () => request(s, 'clarity.model/get', { uid: Category.ROLE, includeFacts: false })),
      );
      const limited = answers.filter((a) => a.code === 'RATE_LIMITED').length;
      assert.ok(limited > 0, 'some requests are refused');
      assert.ok(
        answers.some((a) => a.success),
        'some requests are served',
      );
      assert.equal(s.connected, true);
      await new Promise((r) => setTimeout(r, 1100));
      const again = await request(s, 'clarity.model/get', { uid: Category.ROLE });
      assert.equal(again.success, true);
    });

    test('a frame over WS_MAX_PAYLOAD_BYTES closes only that socket', async () => {
      const big = await client();
      const bystander = await client();
      const closed = nextEvent(big, 'disconnect');
      big.emit('clarity.model/get', { uid: 1, padding: 'x'.repeat(100_000) }, () => undefined);
      await closed;
      const r = await request(bystander, 'clarity.model/get', { uid: Category.ROLE });
      assert.equal(r.success, true);
    });

    test('the connection cap is exact under a storm of connects and abrupt disconnects', async () => {
      for (const s of sockets.splice(0)) s.close();
      await eventually(
        async () => (await metricValue(clarity.url, 'clarity_websocket_connections_open')) === 0,
        15_000,
        'no open sockets',
      );
      const attempts = await Promise.allSettled(Array.from({ length: 200 }, () => connect(clarity.url, { token })));
      const accepted = attempts
        .filter((a) => a.status === 'fulfilled')
        .map((a) => (a as PromiseFulfilledResult<Socket>).value);
      const refusedCodes = attempts
        .filter((a) => a.status === 'rejected')
        .map((a) => ((a as PromiseRejectedResult).reason as { data?: { code?: string } }).data?.code);
      assert.equal(accepted.length, 50);
      assert.ok(
        refusedCodes.every((c) => c === 'CAPACITY'),
        JSON.stringify(refusedCodes.slice(0, 5)),
      );
      assert.equal(await metricValue(clarity.url, 'clarity_websocket_connections_open'), 50);
      // kill half without a close handshake, close the rest cleanly
      for (const [i, s] of accepted.entries()) {
        if (i % 2 === 0)
          (
            s.io.engine as unknown as { transport: { ws: { _socket: { destroy(): void } } } }
          ).transport.ws._socket.destroy();
      }
      await eventually(
        async () => (await metricValue(clarity.url, 'clarity_websocket_connections_open')) === 25,
        30_000,
        '25 open sockets',
      );
      const replacements = await Promise.allSettled(Array.from({ length: 40 }, () => connect(clarity.url, { token })));
      const replaced = replacements
        .filter((a) => a.status === 'fulfilled')
        .map((a) => (a as PromiseFulfilledResult<Socket>).value);
      assert.equal(replaced.length, 25);
      assert.equal(await metricValue(clarity.url, 'clarity_websocket_connections_open'), 50);
      for (const s of [...accepted, ...replaced]) s.close();
      await eventually(
        async () => (await metricValue(clarity.url, 'clarity_websocket_connections_open')) === 0,
        30_000,
        'all sockets gone',
      );
      const refusedCapacity = await metricValue(
        clarity.url,
        'clarity_websocket_connections_total',
        '{status="rejected_capacity"}',
      );
      assert.ok((refusedCapacity ?? 0) >= 165);
    });
  });

  test('two processes sharing Redis: an update through B reaches a subscriber on A and A serves the new definition', async (t) => {
    const redisUrl = realRedisUrl() ?? 'redis://127.0.0.1:6379';
    const db = await databaseEnv();
    const archivist = await startArchivistServer({ dataFiles: bundledKnowledgeBasePaths(), port: 0 });
    // With the real PostgreSQL both share one database; embedded, each needs its own server.
    const dbB = db.env.POSTGRES_HOST ? db : await databaseEnv();
    const common = { REDIS_URL: redisUrl, ARCHIVIST_URL: archivist.url };
    const a = await startClarityProcess({ ...common, ...db.env });
    const b = await startClarityProcess({ ...common, ...dbB.env });
    try {
      const health = (await (await fetch(`${a.url}/health`)).json()) as { dependencies: { cache: string } };
      if (health.dependencies.cache !== 'connected') {
        t.skip(`Redis at ${redisUrl} is not reachable (cache ${health.dependencies.cache})`);
        return;
      }
      const onA = await connect(a.url, { token });
      const onB = await connect(b.url, { token });
      const before = await request(onA, 'clarity.model/get', { uid: Category.ROLE });
      assert.equal(before.success, true);
      await request(onA, 'clarity.model/subscribe', { uid: Category.ROLE });
      const notified = nextEvent(onA, 'clarity.model/updated');
      const text = `edited on B ${Date.now()}`;
      const update = await request(onB, 'clarity.model/update-definition', {
        uid: Category.ROLE,
        partial_definition: text,
        full_definition: text,
      });
      assert.equal(update.success, true, JSON.stringify(update));
      const event = await notified;
      assert.equal(event.type, 'event');
      assert.equal(event.payload.uid, Category.ROLE);
      await eventually(
        async () => {
          const after = await request(onA, 'clarity.model/get', { uid: Category.ROLE });
          return after.data.definitions.some((d: { partial_definition: string }) => d.partial_definition === text);
        },
        10_000,
        'A serves the new definition',
      );
      onA.close();
      onB.close();
    } finally {
      await a.stop();
      await b.stop();
      await archivist.close();
      await db.cleanup();
      if (dbB !== db) await dbB.cleanup();
    }
  });
});
