import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Socket } from 'socket.io';
import type { Logger } from '../logging/logging.module.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { currentContext, type RequestContext } from '../logging/request-context.js';
import { ClarityError } from '../common/clarity-error.js';
import { uid } from '../common/request-params.js';
import type { Route, RouteTable } from './event-routes.js';
import { ErrorMapper } from './error-mapper.js';
import { MAX_OUTGOING_BACKLOG_BYTES, OutgoingBacklogGuard } from './outgoing-backlog.js';
import { PreEncodedJson } from './pre-encoded-parser.js';
import { RequestMetrics } from './request-metrics.js';
import { RequestPipeline, type Client } from './request-pipeline.js';
import type { RequestTracker } from './request-tracker.js';
import { TokenBucket } from './token-bucket.js';

type Json = Record<string, any>;

/** The pipeline over fakes: no services, no Socket.IO server. */
function setup() {
  const seen: Array<{ params: unknown; context: RequestContext | undefined }> = [];
  const route: Route = {
    event: 'test/get',
    aliases: ['test/old-get'],
    schema: z.object({ uid: uid('uid') }),
    handle: async (params) => {
      seen.push({ params, context: currentContext() });
      const { uid: id } = params as { uid: number };
      if (id === 404) throw ClarityError.notFound(404);
      if (id === 500) throw new Error('database exploded');
      return { uid: id, category: 'aspect' };
    },
  };
  const batch: Route = {
    event: 'test/batch',
    schema: z.object({ uids: z.array(z.number()).min(1) }),
    cost: (params) => (params as { uids: number[] }).uids.length,
    handle: async (params, ctx) => {
      seen.push({ params, context: currentContext() });
      if ((params as { uids: number[] }).uids[0] === 7) ctx.charge?.(60); // a cost found while handling
      return [];
    },
  };
  /** Answers without a promise, as model/get does for a memoised model. */
  const sync: Route = {
    event: 'test/sync',
    schema: z.object({ uid: uid('uid') }),
    handle: (params) => {
      const { uid: id } = params as { uid: number };
      const context = currentContext();
      seen.push({ params, context });
      if (id === 404) throw ClarityError.notFound(404);
      if (id === 500) throw new Error(`exploded in ${context?.correlationId}`);
      return { uid: id, category: 'role' };
    },
  };
  /** Has a cached answer for even uids (as model/get has for memoised models); odd ones go to the handler. */
  const cachedContexts: Array<RequestContext | undefined> = [];
  const memo: Route = {
    event: 'test/memo',
    schema: z.object({ uid: uid('uid') }),
    cached: (params) => {
      const { uid: id } = params as { uid: number };
      cachedContexts.push(currentContext());
      return id % 2 === 0 ? { uid: id, category: 'occurrence', cached: true } : undefined;
    },
    handle: async (params) => {
      seen.push({ params, context: currentContext() });
      return { uid: (params as { uid: number }).uid, category: 'occurrence', cached: false };
    },
  };
  const routes: RouteTable = new Map([
    ['test/get', route],
    ['test/old-get', route],
    ['test/batch', batch],
    ['test/sync', sync],
    ['test/memo', memo],
  ]);
  const logs: Array<[string, string]> = [];
  const logger = {
    warn: (message: string) => logs.push(['warn', message]),
    error: (message: string) => logs.push(['error', message]),
  } as unknown as Logger;
  const observed: Array<[string, string]> = [];
  let inFlight = 0;
  const metrics = new RequestMetrics(
    {
      requestSeries: (op: string, category: string) => ({ observe: () => observed.push([op, category]) }),
    } as unknown as MetricsService,
    { start: () => (inFlight += 1), finish: () => (inFlight -= 1) } as unknown as RequestTracker,
  );
  const pipeline = new RequestPipeline(routes, new OutgoingBacklogGuard(logger), metrics, new ErrorMapper(logger));
  const emitted: Array<[string, unknown]> = [];
  const transport = { bufferedAmount: 0, terminated: false, terminate: () => (transport.terminated = true) };
  const socket = {
    connected: true,
    conn: { transport: { socket: transport }, writeBuffer: [] },
    emit: (event: string, answer: unknown) => emitted.push([event, answer]),
  } as unknown as Socket & { connected: boolean };
  let tokens = 100;
  const client: Client = { userId: 'alice', bucket: { tryTake: () => tokens-- > 0 } };
  return {
    pipeline,
    socket,
    client,
    transport,
    seen,
    logs,
    observed,
    emitted,
    cachedContexts,
    inFlight: () => inFlight,
    exhaust: () => (tokens = 0),
    /** Sends with an ack; resolves with the parsed envelope once the request is fully done. */
    ask(event: unknown, ...payload: unknown[]): Promise<Json> {
      return new Promise((resolve) => {
        pipeline.handle(socket, client, event, [
          ...payload,
          (answer: unknown) =>
            setImmediate(() =>
              resolve(answer instanceof PreEncodedJson ? (JSON.parse(answer.json) as Json) : (answer as Json)),
            ),
        ]);
      });
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RequestPipeline', () => {
  test('a routed request is parsed, run in its context, answered pre-encoded and measured', async () => {
    const t = setup();
    const r = await t.ask('test/old-get', { id: 'req-7', type: 'request', payload: { uid: '42' } });
    assert.equal(r.success, true);
    assert.deepEqual(r.data, { uid: 42, category: 'aspect' });
    assert.equal(r.correlationId, 'req-7');
    assert.deepEqual(t.seen[0]!.params, { uid: 42 });
    const { correlationId, userId, operation } = t.seen[0]!.context!;
    assert.deepEqual(
      { correlationId, userId, operation },
      { correlationId: 'req-7', userId: 'alice', operation: 'test/get' },
    );
    assert.deepEqual(t.observed, [['test/get', 'aspect']]);
    assert.equal(t.inFlight(), 0);
  });

  test('without a client correlation id the context gets a fresh one, the envelope none', async () => {
    const t = setup();
    const r = await t.ask('test/get', { uid: 1 });
    assert.equal('correlationId' in r, false);
    assert.match(t.seen[0]!.context!.correlationId, /^[0-9a-f-]{36}$/);
  });

  test('a handler that answers synchronously is replied to and measured before handle() returns', () => {
    const t = setup();
    const answers: unknown[] = [];
    t.pipeline.handle(t.socket, t.client, 'test/sync', [{ uid: 7 }, (answer: unknown) => answers.push(answer)]);
    assert.equal(answers.length, 1, 'answered within the same call, no promise awaited');
    const envelope = JSON.parse((answers[0] as PreEncodedJson).json) as Json;
    assert.equal(envelope.success, true);
    assert.deepEqual(envelope.data, { uid: 7, category: 'role' });
    assert.deepEqual(t.observed, [['test/sync', 'role']]);
    assert.equal(t.inFlight(), 0);
    assert.deepEqual(t.seen[0]!.params, { uid: 7 });
    assert.equal(t.seen[0]!.context?.userId, 'alice');
  });

  test('a cached answer is replied to at once, outside any request context, without running the handler', async () => {
    const t = setup();
    const answers: Json[] = [];
    const ack = (answer: unknown) => answers.push(JSON.parse((answer as PreEncodedJson).json) as Json);
    t.pipeline.handle(t.socket, t.client, 'test/memo', [{ id: 'm-1', type: 'request', payload: { uid: '8' } }, ack]);
    assert.equal(answers.length, 1, 'answered within the call');
    assert.deepEqual(answers[0]!.data, { uid: 8, category: 'occurrence', cached: true }, 'parsed params reached it');
    assert.equal(answers[0]!.correlationId, 'm-1');
    assert.deepEqual(t.cachedContexts, [undefined]);
    assert.equal(t.seen.length, 0, 'the handler did not run');
    assert.deepEqual(t.observed, [['test/memo', 'occurrence']]);
    // No cached answer: the handler runs, in the request's context.
    const miss = await t.ask('test/memo', { uid: 9 });
    assert.deepEqual(miss.data, { uid: 9, category: 'occurrence', cached: false });
    assert.equal(t.seen[0]!.context?.userId, 'alice');
    // Invalid parameters never reach it.
    const bad = await t.ask('test/memo', { uid: 'x' });
    assert.equal(bad.code, 'BAD_REQUEST');
    assert.equal(t.cachedContexts.length, 2);
    assert.equal(t.inFlight(), 0);
  });

  test('a synchronous handler that throws is answered with its error, also synchronously', () => {
    const t = setup();
    const answers: Json[] = [];
    const ack = (answer: unknown) => answers.push(answer as Json);
    t.pipeline.handle(t.socket, t.client, 'test/sync', [{ uid: 404 }, ack]);
    t.pipeline.handle(t.socket, t.client, 'test/sync', [{ id: 'c-1', type: 'request', payload: { uid: 500 } }, ack]);
    assert.deepEqual(
      answers.map((a) => [a.code, a.correlationId]),
      [
        ['NOT_FOUND', undefined],
        ['INTERNAL', 'c-1'],
      ],
    );
    assert.equal(answers[1]!.error, 'Internal error (correlation id c-1)');
    assert.deepEqual(t.observed, [
      ['test/sync', 'error'],
      ['test/sync', 'error'],
    ]);
    assert.equal(t.inFlight(), 0);
    assert.match(t.logs[0]![1], /exploded in c-1/);
  });

  test('a correlation id made up for the logs is drawn once and stays the same for the request', () => {
    const t = setup();
    const answers: Json[] = [];
    t.pipeline.handle(t.socket, t.client, 'test/sync', [
      { uid: 500 },
      (answer: unknown) => answers.push(answer as Json),
    ]);
    const logged = /exploded in ([0-9a-f-]{36})/.exec(t.logs[0]![1])?.[1];
    assert.ok(logged, 'the handler saw a UUID as its correlation id');
    assert.equal(answers[0]!.error, `Internal error (correlation id ${logged})`, 'the same id in the answer');
    assert.equal('correlationId' in answers[0]!, false, 'not echoed: the client sent none');
  });

  test('invalid parameters are BAD_REQUEST with the spec message, measured as an error', async () => {
    const t = setup();
    assert.deepEqual(
      [await t.ask('test/get', {})].map((r) => [r.code, r.error]),
      [['BAD_REQUEST', "Required parameter 'uid' not provided"]],
    );
    const notObject = await t.ask('test/get', [1, 2]);
    assert.equal(notObject.error, 'Payload must be a JSON object');
    const ackOnly = await t.ask('test/get');
    assert.equal(ackOnly.error, "Required parameter 'uid' not provided");
    assert.equal(t.seen.length, 0, 'the handler never ran');
    assert.deepEqual(t.observed, [
      ['test/get', 'error'],
      ['test/get', 'error'],
      ['test/get', 'error'],
    ]);
    assert.equal(t.inFlight(), 0);
  });

  test('domain errors keep their code and message; anything else is INTERNAL and logged', async () => {
    const t = setup();
    const missing = await t.ask('test/get', { uid: 404 });
    assert.deepEqual([missing.code, missing.error], ['NOT_FOUND', 'Entity with UID 404 not found']);
    const broken = await t.ask('test/get', { id: 'c-1', type: 'request', payload: { uid: 500 } });
    assert.deepEqual(
      [broken.code, broken.error, broken.correlationId],
      ['INTERNAL', 'Internal error (correlation id c-1)', 'c-1'],
    );
    assert.deepEqual(t.logs, [['error', 'Unexpected failure in test/get: database exploded']]);
  });

  test('an unknown event: BAD_REQUEST to an ack or to a wrapped request, nothing to a bare one without an ack', async () => {
    const t = setup();
    const r = await t.ask('test/nothing', { uid: 1 });
    assert.deepEqual([r.code, r.error], ['BAD_REQUEST', "Unknown event 'test/nothing'"]);
    const wrappedWithAck = await t.ask('test/nothing', { id: 'w-0', type: 'request', payload: {} });
    assert.deepEqual([wrappedWithAck.code, wrappedWithAck.correlationId], ['BAD_REQUEST', 'w-0']);
    t.pipeline.handle(t.socket, t.client, 'test/nothing', [{ uid: 1 }]);
    t.pipeline.handle(t.socket, t.client, 42, [{ uid: 1 }]);
    t.pipeline.handle(t.socket, t.client, 42, [{ id: 'w-2', type: 'request', payload: {} }]);
    t.pipeline.handle(t.socket, t.client, 'disconnect', [{ id: 'w-3', type: 'request', payload: {} }]);
    await settle();
    assert.deepEqual(t.emitted, []);
    t.pipeline.handle(t.socket, t.client, 'test/nothing', [{ id: 'w-1', type: 'request', payload: { uid: 1 } }]);
    await settle();
    assert.equal(t.emitted.length, 1);
    const [name, answer] = t.emitted[0]! as [string, Json];
    assert.equal(name, 'test/nothing');
    assert.deepEqual(
      [answer.type, answer.success, answer.code, answer.error, answer.correlationId],
      ['response', false, 'BAD_REQUEST', "Unknown event 'test/nothing'", 'w-1'],
    );
    assert.deepEqual(t.observed, []);
  });

  test('without an ack the answer is emitted as an event of the name the client used', async () => {
    const t = setup();
    t.pipeline.handle(t.socket, t.client, 'test/get', [{ uid: 3 }]);
    t.pipeline.handle(t.socket, t.client, 'test/old-get', [{ id: 'a-1', type: 'request', payload: { uid: 4 } }]);
    t.pipeline.handle(t.socket, t.client, 'test/old-get', [{ uid: 404 }]);
    await settle();
    await settle();
    assert.deepEqual(
      t.emitted.map(([name]) => name),
      ['test/get', 'test/old-get', 'test/old-get'],
    );
    const answers = t.emitted.map(([, answer]) =>
      answer instanceof PreEncodedJson ? (JSON.parse(answer.json) as Json) : (answer as Json),
    );
    assert.ok(t.emitted[0]![1] instanceof PreEncodedJson);
    assert.deepEqual(answers[1]!.data, { uid: 4, category: 'aspect' });
    assert.equal(answers[1]!.correlationId, 'a-1');
    assert.equal(answers[2]!.code, 'NOT_FOUND');
    // Metrics stay keyed by the canonical name.
    assert.deepEqual(
      t.observed.map(([op]) => op),
      ['test/get', 'test/get', 'test/get'],
    );
  });

  test('a rate-limited request on an alias without an ack is answered on the alias', async () => {
    const t = setup();
    t.exhaust();
    t.pipeline.handle(t.socket, t.client, 'test/old-get', [{ uid: 1 }]);
    await settle();
    assert.equal(t.emitted[0]![0], 'test/old-get');
    assert.equal((t.emitted[0]![1] as Json).code, 'RATE_LIMITED');
  });

  test('an empty bucket answers RATE_LIMITED without running or measuring the request', async () => {
    const t = setup();
    t.exhaust();
    const r = await t.ask('test/get', { id: 'r-1', type: 'request', payload: { uid: 1 } });
    assert.deepEqual([r.code, r.error, r.correlationId], ['RATE_LIMITED', 'Too many requests: slow down', 'r-1']);
    assert.equal(t.seen.length, 0);
    assert.deepEqual(t.observed, []);
  });

  test('a request is charged its cost once its parameters are valid: a batch of N costs N', async () => {
    const t = setup();
    t.client.bucket = new TokenBucket(100, () => 0); // a frozen clock: no refill
    const fifty = Array.from({ length: 50 }, (_, i) => i + 1);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await t.ask('test/batch', { uids: fifty }));
    assert.deepEqual(
      answers.map((r) => r.code ?? 'ok'),
      ['ok', 'ok', 'RATE_LIMITED'],
    );
    assert.equal(answers[2]!.error, 'Too many requests: slow down');
    assert.equal(t.seen.length, 2, 'the refused batch never reached its handler');

    const u = setup();
    u.client.bucket = new TokenBucket(100, () => 0);
    assert.equal((await u.ask('test/batch', { uids: fifty })).success, true); // 50 left
    const invalid = await u.ask('test/batch', { uids: [] });
    assert.equal(invalid.code, 'BAD_REQUEST', 'an invalid request costs one token'); // 49 left
    const over = await u.ask('test/batch', { uids: [1, ...fifty] });
    assert.deepEqual(
      [over.code, over.error],
      ['RATE_LIMITED', 'Too many requests: slow down (this request costs 51 requests)'],
    );
    assert.equal((await u.ask('test/batch', { uids: [7, 8] })).code, 'RATE_LIMITED', 'ctx.charge refuses too'); // 46 left < 60
    assert.equal(u.seen.length, 2);
  });

  test('a client that does not read its answers is dropped before anything else', async () => {
    const t = setup();
    t.transport.bufferedAmount = MAX_OUTGOING_BACKLOG_BYTES + 1;
    let answered = false;
    t.pipeline.handle(t.socket, t.client, 'test/get', [{ uid: 1 }, () => (answered = true)]);
    await settle();
    assert.equal(t.transport.terminated, true);
    assert.equal(answered, false);
    assert.equal(t.seen.length, 0);
    assert.equal(t.logs[0]![0], 'warn');
  });

  test('nothing is sent to a socket that disconnected meanwhile', async () => {
    const t = setup();
    t.socket.connected = false;
    let answered = false;
    t.pipeline.handle(t.socket, t.client, 'test/get', [{ uid: 1 }, () => (answered = true)]);
    await settle();
    assert.equal(answered, false);
    assert.deepEqual(t.observed, [['test/get', 'aspect']]);
  });
});
