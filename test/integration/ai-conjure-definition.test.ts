import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { FakeOpenAiServer } from '../support/fake-openai-server.js';
import { connect, eventually, metricValue, request as rawRequest, type Envelope } from '../support/socket-client.js';

/**
 * AI-drafted definitions (spec §10) end to end: a started Clarity (the embedded
 * Archivist with the bundled knowledge base, PostgreSQL) whose OPENAI_BASE_URL points at
 * a real OpenAI-compatible server on loopback (test/support/fake-openai-server.ts), real
 * Socket.IO clients and HTTP requests. A second Clarity without a key shows the disabled
 * feature.
 */

const KEY = 'sk-clarity-test-KEY-9f8e7d6c5b4a';
const QUERY_KEY = 'sk-from-the-query-string-1234';
const AI_TIMEOUT_MS = 1500;
const AI_RATE_LIMIT = 3;
const EVENT = 'clarity.ai/conjure-definition';
const CHUNK = 'clarity.ai/definition-chunk';
const CENTRIFUGAL_PUMP = 2001002;
const P_101 = 2100001; // an individual (classified as a centrifugal pump)

/** Every answer any client of this file received, to look for the key in at the end. */
const seen: string[] = [];

async function request(socket: Socket, event: string, payload?: unknown, timeoutMs?: number): Promise<Envelope> {
  const envelope = await rawRequest(socket, event, payload, timeoutMs);
  seen.push(JSON.stringify(envelope));
  return envelope;
}

async function httpGet(url: string, token?: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  seen.push(text);
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
}

async function health(url: string): Promise<{ status: string; dependencies: Record<string, string> }> {
  const text = await (await fetch(`${url}/health`)).text();
  seen.push(text);
  return JSON.parse(text) as { status: string; dependencies: Record<string, string> };
}

/** Fixed one-minute windows: wait out the end of a minute so a burst falls into one window. */
async function awayFromMinuteBoundary(marginMs = 8000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

describe('clarity.ai/conjure-definition with a provider', () => {
  let fake: FakeOpenAiServer;
  let clarity: ClarityProcess;
  let cwd: string;
  let cleanup: () => Promise<void>;
  const sockets: Socket[] = [];

  async function socketOf(user: string): Promise<Socket> {
    const socket = await connect(clarity.url, { token: await mintToken(user) });
    sockets.push(socket);
    return socket;
  }

  before(async () => {
    fake = await FakeOpenAiServer.start();
    const db = await databaseEnv();
    cleanup = db.cleanup;
    cwd = mkdtempSync(join(tmpdir(), 'clarity-ai-'));
    clarity = await startClarityProcess(
      {
        ...db.env,
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: fake.baseUrl,
        OPENAI_MODEL: 'test-model',
        AI_TIMEOUT_MS: String(AI_TIMEOUT_MS),
        AI_RATE_LIMIT: String(AI_RATE_LIMIT),
        WS_RATE_LIMIT: '1000',
        // everything a log can hold, on the console and in files
        LOG_LEVEL: 'debug',
        LOG_FILES: 'true',
      },
      { cwd },
    );
  });

  after(async () => {
    for (const s of sockets) s.close();
    if (clarity && clarity.child.exitCode === null) assert.equal((await clarity.stop()).code, 0, clarity.output());
    await fake?.close();
    await cleanup?.();
  });

  test('/health shows ai: available with a key (no provider call for it)', async () => {
    const before = fake.count;
    const h = await health(clarity.url);
    assert.equal(h.dependencies.ai, 'available');
    assert.equal(h.status, 'healthy');
    assert.equal(fake.count, before, '/health does not call the provider');
  });

  test('streamed: the provider gets the hierarchy and the new name; chunks, then the answer, reach the client', async () => {
    fake.behave({ kind: 'answer', text: 'x', chunks: ['that has ', 'a sealed ', 'motor.'] });
    const socket = await socketOf('ai-stream');
    const order: string[] = [];
    const chunks: any[] = [];
    socket.on(CHUNK, (envelope) => {
      order.push('chunk');
      chunks.push(envelope);
      seen.push(JSON.stringify(envelope));
    });
    const before = fake.count;
    const answer = await request(socket, EVENT, {
      supertype_uid: CENTRIFUGAL_PUMP,
      name: 'canned motor pump',
      stream: true,
    });
    order.push('answer');
    assert.equal(answer.success, true, JSON.stringify(answer));
    assert.deepEqual(
      { ...answer.data, requestId: undefined },
      {
        definition: 'that has a sealed motor.',
        model: 'test-model-fake',
        supertype_uid: CENTRIFUGAL_PUMP,
        name: 'canned motor pump',
        requestId: undefined,
      },
    );
    assert.deepEqual(order, ['chunk', 'chunk', 'chunk', 'answer']);
    assert.deepEqual(
      chunks.map((c) => c.payload.text),
      ['that has ', 'a sealed ', 'motor.'],
    );
    for (const c of chunks) {
      assert.deepEqual(Object.keys(c).sort(), ['id', 'payload', 'timestamp', 'topic', 'type']);
      assert.equal(c.type, 'event');
      assert.equal(c.topic, CHUNK);
      assert.match(c.id, /^[0-9a-f-]{36}$/);
      assert.equal(typeof c.timestamp, 'number');
      assert.equal(c.payload.requestId, answer.data.requestId);
    }

    assert.equal(fake.count, before + 1);
    const sent = fake.requests[before]!;
    assert.equal(sent.authorization, `Bearer ${KEY}`);
    assert.equal(sent.body?.model, 'test-model');
    assert.equal(sent.body?.stream, true);
    const user = sent.body!.messages.find((m) => m.role === 'user')!.content.split('\n');
    assert.equal(user[0], 'concept : is a specialization of : anything :: that is a commonality of things.');
    assert.ok(
      user.includes(
        'pump : is a specialization of : rotating equipment :: that raises the pressure of a liquid to move it through a system.',
      ),
    );
    assert.equal(
      user.at(-2),
      'centrifugal pump : is a specialization of : pump :: that adds energy to the liquid by the centrifugal force of a rotating impeller.',
    );
    assert.equal(user.at(-1), 'canned motor pump : is a specialization of : centrifugal pump ::');
    assert.match(sent.body!.messages[0]!.content, /partial definition only/);
  });

  test('not streamed, in the platform wrapper: one answer with the correlation id, no chunks', async () => {
    fake.behave({
      kind: 'answer',
      text: 'canned motor pump : is a specialization of : centrifugal pump :: "that is sealed."',
    });
    const socket = await socketOf('ai-plain');
    let chunks = 0;
    socket.on(CHUNK, () => chunks++);
    const answer = await request(socket, EVENT, {
      id: 'req-42',
      type: 'request',
      payload: { supertype_uid: String(CENTRIFUGAL_PUMP), name: 'canned motor pump' },
    });
    assert.equal(answer.success, true, JSON.stringify(answer));
    assert.equal(answer.correlationId, 'req-42');
    assert.equal(answer.data.definition, 'that is sealed.', 'the repeated line prefix and quotes are dropped');
    assert.equal(answer.data.requestId, 'req-42');
    assert.equal(chunks, 0);
  });

  test('validation comes first: BAD_REQUEST, NOT_FOUND, WRONG_NATURE without any provider call', async () => {
    const socket = await socketOf('ai-invalid');
    const before = fake.count;
    const missing = await request(socket, EVENT, { supertype_uid: CENTRIFUGAL_PUMP });
    assert.equal(missing.code, 'BAD_REQUEST');
    assert.equal(missing.error, "Required parameter 'name' not provided");
    const unknown = await request(socket, EVENT, { supertype_uid: 987654321, name: 'x' });
    assert.equal(unknown.code, 'NOT_FOUND');
    assert.equal(unknown.error, 'Entity with UID 987654321 not found');
    const individual = await request(socket, EVENT, { supertype_uid: P_101, name: 'x' });
    assert.equal(individual.code, 'WRONG_NATURE', JSON.stringify(individual));
    assert.equal(fake.count, before, 'the provider was not called');
  });

  test('a provider 500 is AI_ERROR with a short message (no provider body)', async () => {
    fake.behave({ kind: 'fail', status: 500 });
    const socket = await socketOf('ai-500');
    const answer = await request(socket, EVENT, { supertype_uid: CENTRIFUGAL_PUMP, name: 'x pump' });
    assert.equal(answer.code, 'AI_ERROR');
    assert.equal(answer.error, 'AI provider error (HTTP 500)');
    assert.ok(!answer.error?.includes('exploded'));
  });

  test('a stalled provider is AI_UNAVAILABLE (bounded by AI_TIMEOUT_MS); /health then shows ai: unavailable', async () => {
    fake.behave({ kind: 'stall' });
    const socket = await socketOf('ai-stall');
    const before = fake.count;
    const started = Date.now();
    const answer = await request(socket, EVENT, { supertype_uid: CENTRIFUGAL_PUMP, name: 'slow pump' }, 60_000);
    assert.equal(answer.code, 'AI_UNAVAILABLE');
    assert.equal(answer.error, `AI provider did not answer within ${AI_TIMEOUT_MS} ms`);
    assert.ok(Date.now() - started < 30_000, 'a generous upper bound');
    await fake.requests[before]!.done;
    assert.equal(fake.requests[before]!.closedEarly, true, 'the provider request was closed');
    const h = await health(clarity.url);
    assert.equal(h.dependencies.ai, 'unavailable');
    assert.equal(h.status, 'degraded');
    // a successful draft clears it
    fake.behave({ kind: 'answer', text: 'that is quick.' });
    assert.equal((await request(socket, EVENT, { supertype_uid: CENTRIFUGAL_PUMP, name: 'quick pump' })).success, true);
    assert.equal((await health(clarity.url)).dependencies.ai, 'available');
  });

  test('AI_RATE_LIMIT per user per minute, across the user’s sockets: RATE_LIMITED; other users unaffected', async () => {
    fake.behave({ kind: 'answer', text: 'that is limited.' });
    await awayFromMinuteBoundary();
    const first = await socketOf('ai-limited');
    const second = await socketOf('ai-limited');
    const before = fake.count;
    const payload = { supertype_uid: CENTRIFUGAL_PUMP, name: 'limited pump' };
    const answers = [];
    for (let i = 0; i < AI_RATE_LIMIT; i++) answers.push(await request(i % 2 ? second : first, EVENT, payload));
    assert.deepEqual(
      answers.map((a) => a.success),
      Array(AI_RATE_LIMIT).fill(true),
    );
    const over = await request(second, EVENT, payload);
    assert.equal(over.code, 'RATE_LIMITED');
    assert.match(over.error ?? '', new RegExp(`at most ${AI_RATE_LIMIT} per minute per user`));
    assert.equal((await request(first, EVENT, payload)).code, 'RATE_LIMITED');
    assert.equal(fake.count, before + AI_RATE_LIMIT, 'refused drafts never reach the provider');
    const other = await socketOf('ai-not-limited');
    assert.equal((await request(other, EVENT, payload)).success, true);
  });

  test('a disconnect mid-stream ends the provider request', async () => {
    fake.behave({ kind: 'stall-after', chunks: ['that is '] });
    const socket = await socketOf('ai-leaver');
    const before = fake.count;
    const cancelled = (await metricValue(clarity.url, 'clarity_ai_requests_total', '{outcome="cancelled"}')) ?? 0;
    const firstChunk = new Promise((resolve) => socket.once(CHUNK, resolve));
    socket.emit(EVENT, { supertype_uid: CENTRIFUGAL_PUMP, name: 'leaving pump', stream: true }, () => undefined);
    await firstChunk;
    socket.disconnect();
    const provider = await fake.request(before);
    await provider.done;
    assert.equal(provider.closedEarly, true, 'the fake server saw the request closed before its end');
    await eventually(
      async () =>
        ((await metricValue(clarity.url, 'clarity_ai_requests_total', '{outcome="cancelled"}')) ?? 0) === cancelled + 1,
      10_000,
      'a cancelled draft counted',
    );
  });

  test('GET /artificialIntelligence/conjureDefinition: Bearer JWT required, plain-text draft, apiKey ignored', async () => {
    fake.behave({ kind: 'answer', text: 'that is drafted over HTTP.' });
    const base = `${clarity.url}/artificialIntelligence/conjureDefinition`;
    const query = `supertypeUID=${CENTRIFUGAL_PUMP}&newKindName=${encodeURIComponent('http pump')}&apiKey=${QUERY_KEY}`;
    const before = fake.count;
    const anonymous = await httpGet(`${base}?${query}`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.text, 'Unauthorized');
    assert.equal((await httpGet(`${base}?${query}`, 'not.a.token')).status, 401);
    assert.equal(fake.count, before, 'no provider call without a valid token');

    const token = await mintToken('ai-http');
    const ok = await httpGet(`${base}?${query}`, token);
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.type, /^text\/plain/);
    assert.equal(ok.text, 'that is drafted over HTTP.');
    const sent = fake.requests[before]!;
    assert.equal(sent.authorization, `Bearer ${KEY}`, 'the configured key, never the query parameter');
    assert.ok(!JSON.stringify(sent.body).includes(QUERY_KEY));
    assert.equal(
      sent.body!.messages[1]!.content.split('\n').at(-1),
      'http pump : is a specialization of : centrifugal pump ::',
    );

    const noName = await httpGet(`${base}?supertypeUID=${CENTRIFUGAL_PUMP}`, token);
    assert.deepEqual([noName.status, noName.text], [400, "Required parameter 'newKindName' not provided"]);
    const unknown = await httpGet(`${base}?supertypeUID=987654321&newKindName=x`, token);
    assert.deepEqual([unknown.status, unknown.text], [404, 'Entity with UID 987654321 not found']);
    fake.behave({ kind: 'fail', status: 502 });
    const failed = await httpGet(`${base}?${query}`, token);
    assert.deepEqual([failed.status, failed.text], [502, 'AI provider error (HTTP 502)']);
  });

  test('metrics: requests by outcome, provider call durations and reported tokens', async () => {
    const value = (labels: string) => metricValue(clarity.url, 'clarity_ai_requests_total', labels);
    assert.ok(((await value('{outcome="success"}')) ?? 0) >= 5);
    assert.ok(((await value('{outcome="provider_error"}')) ?? 0) >= 2);
    assert.ok(((await value('{outcome="timeout"}')) ?? 0) >= 1);
    assert.ok(((await value('{outcome="rate_limited"}')) ?? 0) >= 2);
    assert.ok(((await value('{outcome="invalid"}')) ?? 0) >= 2);
    assert.ok(((await metricValue(clarity.url, 'clarity_ai_request_duration_seconds_count')) ?? 0) >= 8);
    assert.ok(((await metricValue(clarity.url, 'clarity_ai_tokens_total', '{kind="prompt"}')) ?? 0) >= 120);
    assert.ok(((await metricValue(clarity.url, 'clarity_ai_tokens_total', '{kind="completion"}')) ?? 0) >= 17);
  });

  test('the key appears in no answer, no log line (console or files) and not on /metrics', async () => {
    const metrics = await (await fetch(`${clarity.url}/metrics`)).text();
    const logDir = join(cwd, 'logs');
    assert.ok(existsSync(logDir), 'log files were written');
    const files = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8'));
    assert.ok(files.join('').includes('AI draft'), 'the AI lines are in the log files');
    assert.ok(clarity.output().includes('AI drafts enabled'), 'the start-up line is on the console');
    const places: Array<[string, string]> = [
      ['answers', seen.join('\n')],
      ['console output', clarity.output()],
      ['log files', files.join('\n')],
      ['/metrics', metrics],
    ];
    for (const [where, text] of places) {
      assert.ok(!text.includes(KEY), `the key appears in ${where}`);
      assert.ok(!text.includes(KEY.slice(-12)), `a part of the key appears in ${where}`);
      assert.ok(!text.includes(QUERY_KEY), `the query apiKey appears in ${where}`);
    }
  });
});

describe('clarity.ai/conjure-definition without a key', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;
  let socket: Socket | undefined;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env });
  });
  after(async () => {
    socket?.close();
    if (clarity && clarity.child.exitCode === null) await clarity.stop();
    await cleanup?.();
  });

  test('AI_UNAVAILABLE at once, /health ai: disabled (and still healthy), HTTP 503', async () => {
    socket = await connect(clarity.url, { token: await mintToken('ai-nokey') });
    const answer = await request(socket, EVENT, { supertype_uid: CENTRIFUGAL_PUMP, name: 'x', stream: true });
    assert.equal(answer.code, 'AI_UNAVAILABLE');
    assert.match(answer.error ?? '', /not configured.*OPENAI_API_KEY/);
    const h = await health(clarity.url);
    assert.equal(h.dependencies.ai, 'disabled');
    assert.equal(h.status, 'healthy');
    const http = await httpGet(
      `${clarity.url}/artificialIntelligence/conjureDefinition?supertypeUID=${CENTRIFUGAL_PUMP}&newKindName=x`,
      await mintToken('ai-nokey'),
    );
    assert.equal(http.status, 503);
    assert.match(http.text, /not configured/);
    assert.equal(
      await metricValue(clarity.url, 'clarity_ai_requests_total', '{outcome="disabled"}'),
      2,
      'socket and HTTP',
    );
  });
});
