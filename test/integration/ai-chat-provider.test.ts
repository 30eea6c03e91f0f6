import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AiCallError, OpenAiChatProvider } from '../../src/ai/chat-provider.js';
import { freePort } from '../support/clarity-process.js';
import { FakeOpenAiServer } from '../support/fake-openai-server.js';

/**
 * The provider class (the `openai` package) against the fake OpenAI-compatible server
 * over real HTTP on loopback: answers, streams, failures, stalls, refusals, cancels.
 */

const KEY = 'sk-provider-test-6f1d2c';
const TIMEOUT_MS = 800;
const messages = [
  { role: 'system' as const, content: 'be brief' },
  { role: 'user' as const, content: 'x : is a specialization of : y ::' },
];

async function failure(promise: Promise<unknown>): Promise<AiCallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AiCallError, `expected AiCallError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('OpenAiChatProvider against a fake OpenAI server', () => {
  let fake: FakeOpenAiServer;
  let provider: OpenAiChatProvider;

  before(async () => {
    fake = await FakeOpenAiServer.start();
    provider = new OpenAiChatProvider({
      apiKey: KEY,
      baseUrl: fake.baseUrl,
      model: 'test-model',
      timeoutMs: TIMEOUT_MS,
    });
  });
  after(async () => {
    await fake.close();
  });

  test('a plain completion: the model, the messages and the key as a Bearer header reach the server', async () => {
    fake.behave({ kind: 'answer', text: 'that does things.' });
    const before = fake.count;
    const result = await provider.complete(messages);
    assert.equal(result.text, 'that does things.');
    assert.equal(result.model, 'test-model-fake');
    assert.deepEqual(result.usage, { prompt: 120, completion: 17 });
    const seen = fake.requests[before]!;
    assert.equal(seen.path, '/v1/chat/completions');
    assert.equal(seen.authorization, `Bearer ${KEY}`);
    assert.equal(seen.body?.model, 'test-model');
    assert.deepEqual(seen.body?.messages, messages);
    assert.notEqual(seen.body?.stream, true);
    assert.equal(fake.count, before + 1, 'one request, no retry');
  });

  test('streaming: every piece reaches onText in order and the text is their concatenation', async () => {
    fake.behave({ kind: 'answer', text: 'that pumps a liquid.', chunks: ['that ', 'pumps ', 'a ', 'liquid.'] });
    const pieces: string[] = [];
    const before = fake.count;
    const result = await provider.complete(messages, { onText: (t) => pieces.push(t) });
    assert.deepEqual(pieces, ['that ', 'pumps ', 'a ', 'liquid.']);
    assert.equal(result.text, 'that pumps a liquid.');
    assert.deepEqual(result.usage, { prompt: 120, completion: 17 });
    const body = fake.requests[before]!.body!;
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });

  test('a 500 is AI_ERROR with a short message that echoes nothing of the provider body', async () => {
    fake.behave({ kind: 'fail', status: 500 });
    const before = fake.count;
    const error = await failure(provider.complete(messages));
    assert.equal(error.code, 'AI_ERROR');
    assert.equal(error.message, 'AI provider error (HTTP 500)');
    assert.equal(error.outcome, 'provider_error');
    assert.ok(!error.message.includes(KEY) && !error.detail.includes(KEY));
    assert.equal(fake.count, before + 1, 'not retried');
  });

  test('a 401 names the configuration, not the key', async () => {
    fake.behave({ kind: 'fail', status: 401 });
    const error = await failure(provider.complete(messages, { onText: () => undefined }));
    assert.equal(error.code, 'AI_ERROR');
    assert.match(error.message, /HTTP 401.*OPENAI_API_KEY/);
    assert.ok(!error.message.includes(KEY));
  });

  test('a stalled provider is AI_UNAVAILABLE (timeout) and the request is closed', async () => {
    fake.behave({ kind: 'stall' });
    const before = fake.count;
    const started = Date.now();
    const error = await failure(provider.complete(messages));
    assert.equal(error.code, 'AI_UNAVAILABLE');
    assert.equal(error.outcome, 'timeout');
    assert.equal(error.message, `AI provider did not answer within ${TIMEOUT_MS} ms`);
    assert.ok(Date.now() - started < 20_000, 'bounded');
    const seen = fake.requests[before]!;
    await seen.done;
    assert.equal(seen.closedEarly, true);
  });

  test('a stream that stalls after its first chunks is cut off at the deadline too', async () => {
    fake.behave({ kind: 'stall-after', chunks: ['that ', 'is '] });
    const pieces: string[] = [];
    const error = await failure(provider.complete(messages, { onText: (t) => pieces.push(t) }));
    assert.equal(error.outcome, 'timeout');
    assert.deepEqual(pieces, ['that ', 'is ']);
  });

  test('a refused connection is AI_UNAVAILABLE (unavailable)', async () => {
    const closedPort = await freePort();
    const nowhere = new OpenAiChatProvider({
      apiKey: KEY,
      baseUrl: `http://127.0.0.1:${closedPort}/v1`,
      model: 'm',
      timeoutMs: 5000,
    });
    const error = await failure(nowhere.complete(messages));
    assert.equal(error.code, 'AI_UNAVAILABLE');
    assert.equal(error.outcome, 'unavailable');
    assert.equal(error.message, 'AI provider cannot be reached');
  });

  test("aborting the caller's signal mid-stream closes the provider request (cancelled)", async () => {
    fake.behave({ kind: 'stall-after', chunks: ['that '] });
    const cancel = new AbortController();
    const before = fake.count;
    const call = provider.complete(messages, { signal: cancel.signal, onText: () => cancel.abort() });
    const error = await failure(call);
    assert.equal(error.outcome, 'cancelled');
    const seen = fake.requests[before]!;
    await seen.done;
    assert.equal(seen.closedEarly, true);
  });

  test('an empty answer is AI_ERROR', async () => {
    fake.behave({ kind: 'answer', text: '   ' });
    const error = await failure(provider.complete(messages));
    assert.equal(error.code, 'AI_ERROR');
    assert.match(error.message, /empty/);
  });
});
