import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { buildRoutes, type RouteDependencies } from '../../src/gateway/event-routes.js';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { connect, nextEvent } from '../support/socket-client.js';
import { assertPlatformEvent, assertPlatformResponse, RequestMessageSchema } from '../support/platform-schemas.js';

/**
 * The platform's contract (spec §3, §11), tried the way the platform's clients
 * talk: the wrapper `{id, type: "request", service: "clarity", action, payload}`
 * with uids as numeric strings, on every canonical event and every alias of §3,
 * with an ack and without one (then the answer must come as an event of the name
 * the client used). Every answer is checked against the platform's
 * BaseResponseSchema (test/support/platform-schemas.ts) and more strictly
 * (correlationId = the request's id, numeric timestamp, UUID id); pushes against
 * the event schema. Runs against a started Clarity (embedded Archivist on the
 * bundled knowledge base, real PostgreSQL or an embedded one).
 */

type Data = any;

interface Context {
  sessionId: string;
  send(name: string, params: unknown, withAck?: boolean): Promise<Data>;
}

interface Case {
  /** The canonical event. */
  event: string;
  /** The platform aliases of §3. */
  aliases?: string[];
  params(ctx: Context, run: string): Promise<unknown> | unknown;
  check(data: Data, ctx: Context, run: string): Promise<void> | void;
  /** Parameters that fail, and the code they must fail with. */
  failing?: { params: unknown; code: string };
}

const PHYSICAL_OBJECT = '730044';
const ASPECT = '790229';
const ROLE = '160170';
const RELATION = '2850';
const OCCURRENCE = '193671';
const PUMP = '2001001';
const MOTOR = '2001010';
const PIPE_LINE = '2001014';
const P_101 = '2100001';
const UNKNOWN = '987654321';

const uidsOf = (models: Array<{ uid: number } | null>) => models.map((m) => m?.uid ?? null);

const CASES: Case[] = [
  {
    event: 'clarity.model/get',
    aliases: ['clarity/model-get'],
    params: () => ({ uid: PHYSICAL_OBJECT }),
    check: (d) => {
      assert.equal(d.uid, 730044);
      assert.equal(d.nature, 'kind');
      assert.equal(d.category, 'physical object');
      assert.ok(
        Array.isArray(d.definitions) && 'fact_uid' in d.definitions[0] && 'full_definition' in d.definitions[0],
      );
      assert.ok(Array.isArray(d['1146']), 'the legacy numeric keys stay');
    },
    failing: { params: { uid: UNKNOWN }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.model/get-batch',
    aliases: ['clarity/model-get-batch'],
    params: () => ({ uids: [PHYSICAL_OBJECT, UNKNOWN, ROLE, PHYSICAL_OBJECT], includeFacts: false }),
    check: (d) => assert.deepEqual(uidsOf(d), [730044, null, 160170, 730044]),
    failing: { params: { uids: [] }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.kind/get',
    aliases: ['clarity/kind-get'],
    params: () => ({ uid: '730000' }),
    check: (d) => {
      assert.equal(d.uid, 730000);
      assert.equal(d.nature, 'kind', '730000 (anything) is the root kind');
      assert.equal(d.category, 'anything');
    },
    failing: { params: { uid: P_101 }, code: 'WRONG_NATURE' },
  },
  {
    event: 'clarity.individual/get',
    aliases: ['clarity/individual-get'],
    params: () => ({ uid: P_101 }),
    check: (d) => {
      assert.equal(d.uid, 2100001);
      assert.equal(d.nature, 'individual');
      assert.deepEqual(d.classifiers, [2001002]);
    },
    failing: { params: { uid: PUMP }, code: 'WRONG_NATURE' },
  },
  ...(
    [
      ['physical-object', PHYSICAL_OBJECT, 'physical object'],
      ['aspect', ASPECT, 'aspect'],
      ['role', ROLE, 'role'],
      ['relation', RELATION, 'relation'],
      ['occurrence', OCCURRENCE, 'occurrence'],
    ] as const
  ).map(([suffix, uid, category]): Case => ({
    event: `clarity.quintessential/get-${suffix}`,
    params: () => ({ uid }),
    check: (d) => {
      assert.equal(d.uid, Number(uid));
      assert.equal(d.category, category);
    },
    failing: { params: { uid: suffix === 'role' ? ASPECT : ROLE }, code: 'WRONG_CATEGORY' },
  })),
  {
    event: 'clarity.facts/get-by-entity',
    params: () => ({ uid: PUMP }),
    check: (d) => {
      const facts = Array.isArray(d) ? d : d.items;
      assert.ok(Array.isArray(facts) && facts.length > 0);
      assert.ok(facts.every((f: Data) => f.lh_object_uid === 2001001 || f.rh_object_uid === 2001001));
    },
    failing: { params: { uid: 'pump' }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.model/update-definition',
    params: (_ctx, run) => ({
      uid: ASPECT,
      partial_definition: `that is a property (${run})`,
      full_definition: `is a concept that is a property (${run})`,
    }),
    check: (d, _ctx, run) => {
      assert.equal(d.updated, true);
      assert.equal(d.partial_definition, `that is a property (${run})`);
      assert.equal(typeof d.fact_uid, 'number');
    },
    failing: { params: { uid: ASPECT, partial_definition: 'only half' }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.model/update-name',
    params: (_ctx, run) => ({ uid: MOTOR, name: `electric motor ${run}` }),
    check: (d, _ctx, run) => assert.deepEqual([d.updated, d.name], [true, `electric motor ${run}`]),
    failing: { params: { uid: UNKNOWN, name: 'x' }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.model/update-collection',
    params: async (ctx) => {
      const motor = await ctx.send('clarity.model/get', { uid: MOTOR, includeFacts: false });
      return { fact_uid: String(motor.definitions[0].fact_uid), collection_uid: '2000901', collection_name: 'plant' };
    },
    check: (d) => assert.deepEqual([d.updated, d.collection_uid, d.collection_name], [true, 2000901, 'plant']),
    failing: { params: { fact_uid: UNKNOWN, collection_uid: '1', collection_name: 'c' }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.model/history',
    params: () => ({ uid: MOTOR, limit: '5' }),
    check: (d) => {
      assert.ok(Array.isArray(d) && d.length > 0 && d.length <= 5);
      assert.equal(d[0].changedBy, 'platform-user');
    },
    failing: { params: { uid: MOTOR, limit: 0 }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.model/subscribe',
    params: () => ({ uid: PUMP }),
    check: (d) => assert.deepEqual(d, { uid: 2001001, subscribed: true }),
    failing: { params: {}, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.model/unsubscribe',
    params: () => ({ uid: PUMP }),
    check: (d) => assert.deepEqual(d, { uid: 2001001, subscribed: false }),
    failing: { params: { uid: -4 }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.session/create',
    params: (_ctx, run) => ({ name: `workspace ${run}`, state: { uids: [PUMP] } }),
    check: (d, _ctx, run) => {
      assert.equal(d.name, `workspace ${run}`);
      assert.deepEqual(d.state, { uids: [PUMP] });
      assert.equal(d.version, 1);
    },
    failing: { params: { name: '' }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.session/list',
    params: () => ({}),
    check: (d, ctx) => assert.ok(d.items.some((s: Data) => s.id === ctx.sessionId)),
    failing: { params: { limit: 1000 }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.session/get',
    params: (ctx) => ({ id: ctx.sessionId }),
    check: (d, ctx) => assert.equal(d.id, ctx.sessionId),
    failing: { params: { id: randomUUID() }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.session/update',
    params: async (ctx, run) => {
      const current = await ctx.send('clarity.session/get', { id: ctx.sessionId });
      return { id: ctx.sessionId, name: `renamed ${run}`, version: current.version };
    },
    check: (d, _ctx, run) => assert.equal(d.name, `renamed ${run}`),
    failing: { params: { id: randomUUID(), version: 1 }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.session/delete',
    params: async (ctx, run) => ({ id: (await ctx.send('clarity.session/create', { name: `doomed ${run}` })).id }),
    check: (d) => assert.equal(d.deleted, true),
    failing: { params: { id: 'not-a-uuid' }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.model/update',
    aliases: ['clarity/model-update'],
    params: (_ctx, run) => ({
      modelId: PIPE_LINE,
      name: `pipe line ${run}`,
      data: { partial_definition: `that carries fluid (${run})` },
    }),
    check: async (d, ctx, run) => {
      assert.equal(d.uid, 2001014);
      assert.equal(d.name, `pipe line ${run}`);
      assert.ok(d.definitions.some((x: Data) => x.partial_definition === `that carries fluid (${run})`));
      const history = await ctx.send('clarity.model/history', { uid: PIPE_LINE, limit: 2 });
      assert.deepEqual(
        history.map((h: Data) => h.field),
        ['definition', 'name'],
      );
    },
    failing: { params: { modelId: PIPE_LINE }, code: 'BAD_REQUEST' },
  },
  {
    event: 'clarity.model/create',
    aliases: ['clarity/model-create'],
    params: (_ctx, run) => ({
      name: `contract pump ${run} ${randomUUID().slice(0, 8)}`,
      supertype_uid: PUMP,
      full_definition: 'is a pump made by the contract suite',
    }),
    check: (d) => {
      assert.equal(typeof d.uid, 'number');
      assert.equal(d.nature, 'kind');
      assert.ok(d.supertypes.includes(2001001));
    },
    failing: { params: { name: 'x', supertype_uid: UNKNOWN, full_definition: 'x' }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.environment/get',
    aliases: ['clarity/environment-get'],
    params: async (ctx) => {
      const session = await ctx.send('clarity.session/create', {
        name: 'environment',
        state: { uids: [PHYSICAL_OBJECT, 160170, UNKNOWN, 'not a uid'], zoom: 3 },
      });
      return { environmentId: session.id, includeFacts: false };
    },
    check: (d) => {
      assert.equal(d.name, 'environment');
      assert.equal(d.state.zoom, 3);
      assert.deepEqual(uidsOf(d.models), [730044, 160170, null, null]);
    },
    failing: { params: { environmentId: randomUUID() }, code: 'NOT_FOUND' },
  },
  {
    event: 'clarity.system/status',
    aliases: ['clarity/status-request'],
    params: () => ({}),
    check: (d) => {
      assert.equal(d.service, 'clarity');
      assert.equal(typeof d.version, 'string');
      assert.ok(['healthy', 'degraded'].includes(d.status));
      assert.ok(typeof d.uptime === 'number' && d.uptime > 0);
      assert.ok(Number.isInteger(d.connections) && d.connections >= 2, `connections ${d.connections}`);
      assert.equal(d.dependencies.database, 'connected');
      assert.equal(d.dependencies.archivist, 'available');
    },
  },
  {
    event: 'clarity.system/heartbeat',
    aliases: ['clarity/heartbeat'],
    params: () => ({}),
    check: (d) => {
      assert.equal(d.alive, true);
      assert.ok(Number.isInteger(d.timestamp) && Math.abs(Date.now() - d.timestamp) < 60_000);
    },
  },
];

/** The API's events: canonical names and aliases (the route table, without building any service). */
const routeNames = new Set(buildRoutes({} as unknown as RouteDependencies).keys());
/** Events with their own suites (guided workflows, AI), outside this contract's table. */
const OWN_SUITES = /^clarity\.(workflow|ai)\//;

describe('platform contract (spec §3, §11)', () => {
  let clarity: ClarityProcess;
  let cleanupDb: () => Promise<void>;
  let client: Socket;
  let watcher: Socket;
  let ctx: Context;

  /** Sends the platform's wrapper and returns the answer's data after checking the envelope. */
  async function send(socket: Socket, name: string, params: unknown, withAck: boolean): Promise<Data> {
    const id = randomUUID();
    const wrapper = RequestMessageSchema.parse({
      id,
      type: 'request',
      service: 'clarity',
      action: name,
      payload: params,
    });
    let answer: unknown;
    if (withAck) {
      answer = await socket.timeout(15_000).emitWithAck(name, wrapper);
    } else {
      const received = nextEvent(socket, name);
      socket.emit(name, wrapper);
      answer = await received;
    }
    assertPlatformResponse(answer, id, `${name} (${withAck ? 'ack' : 'no ack'})`);
    return answer;
  }

  before(async () => {
    const db = await databaseEnv();
    cleanupDb = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, WS_RATE_LIMIT: '1000' });
    client = await connect(clarity.url, { token: await mintToken('platform-user') });
    watcher = await connect(clarity.url, { token: await mintToken('platform-watcher') });
    ctx = {
      sessionId: '',
      async send(name, params, withAck = true) {
        const r = await send(client, name, params, withAck);
        assert.equal(r.success, true, `${name}: ${JSON.stringify(r)}`);
        return r.data;
      },
    };
    ctx.sessionId = (await ctx.send('clarity.session/create', { name: 'contract session' })).id;
  });

  after(async () => {
    client?.close();
    watcher?.close();
    if (clarity) {
      const { code } = await clarity.stop();
      assert.equal(code, 0, clarity.output());
    }
    await cleanupDb?.();
  });

  test('every event of the contract table is covered here, and every alias of §3 exists', () => {
    const covered = new Set(CASES.flatMap((c) => [c.event, ...(c.aliases ?? [])]));
    const uncovered = [...routeNames].filter((name) => !OWN_SUITES.test(name) && !covered.has(name));
    assert.deepEqual(uncovered, []);
    const specAliases = [
      'clarity/model-get',
      'clarity/model-get-batch',
      'clarity/kind-get',
      'clarity/individual-get',
      'clarity/model-update',
      'clarity/environment-get',
      'clarity/status-request',
      'clarity/heartbeat',
    ];
    assert.deepEqual(
      specAliases.filter((alias) => !routeNames.has(alias)),
      [],
    );
  });

  for (const c of CASES) {
    for (const name of [c.event, ...(c.aliases ?? [])]) {
      const missing = routeNames.has(name) ? false : `${name} is not in this build's route table`;
      for (const withAck of [true, false]) {
        const mode = withAck ? 'with ack' : 'without ack, answered on its own name';
        test(`${name} ${mode}`, { skip: missing }, async () => {
          const run = `${name} ${withAck ? 'ack' : 'event'}`;
          const params = await c.params(ctx, run);
          const r = await send(client, name, params, withAck);
          assert.equal(r.success, true, JSON.stringify(r));
          await c.check(r.data, ctx, run);
        });
      }
      if (c.failing) {
        const failing = c.failing;
        test(
          `${name} failing (${failing.code}) without ack keeps the envelope and correlationId`,
          { skip: missing },
          async () => {
            const r = await send(client, name, failing.params, false);
            assert.equal(r.success, false);
            assert.equal(r.code, failing.code, JSON.stringify(r));
          },
        );
      }
    }
  }

  test('a pushed clarity.model/updated satisfies the event schema', async () => {
    const sub = await send(watcher, 'clarity.model/subscribe', { uid: ROLE }, true);
    assert.equal(sub.success, true);
    const pushed = nextEvent(watcher, 'clarity.model/updated');
    const text = `a role (pushed ${Date.now()})`;
    await ctx.send('clarity.model/update-definition', { uid: ROLE, partial_definition: text, full_definition: text });
    const event = await pushed;
    assertPlatformEvent(event, 'clarity.model/updated', 'clarity.model/updated');
    assert.equal(event.payload.uid, 160170);
    assert.equal(event.payload.change.field, 'definition');
    assert.deepEqual(event.payload.change.newValue, { partial_definition: text, full_definition: text });
    assert.equal(event.payload.change.changedBy, 'platform-user');
  });

  test('a wrapped request on an unknown event without an ack is answered BAD_REQUEST on that name', async () => {
    const r = await send(client, 'clarity/no-such-action', { uid: PUMP }, false);
    assert.deepEqual([r.success, r.code], [false, 'BAD_REQUEST']);
  });
});
