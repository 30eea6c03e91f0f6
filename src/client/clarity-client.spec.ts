import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { ClarityClient, ClarityConnectError, ClarityRequestError, type ModelUpdate } from './index.js';

/**
 * The client's own logic (wrapping, errors, token refresh, refusals, subscriptions
 * renewed after a reconnection) against a real Socket.IO server in this process
 * that plays Clarity's wire protocol; test/integration/client.test.ts runs it
 * against a started Clarity.
 */

type Wrapped = { id: string; type: 'request'; payload: Record<string, unknown> };
type Ack = (answer: unknown) => void;

const ok = (request: Wrapped, data: unknown) => ({
  id: 'a',
  type: 'response',
  success: true,
  data,
  correlationId: request.id,
  timestamp: Date.now(),
});

describe('ClarityClient (against an in-process Socket.IO server)', () => {
  let io: Server;
  let url: string;
  let validToken = 'good';
  let refusal: string | undefined;
  const received: Array<{ event: string; message: Wrapped }> = [];
  const clients: ClarityClient[] = [];
  let serverSockets: Socket[] = [];

  before(async () => {
    const http = createServer();
    io = new Server(http, { transports: ['websocket'] });
    io.use((socket, next) => {
      const fail = (message: string, code: string) => next(Object.assign(new Error(message), { data: { code } }));
      if (refusal) return fail('Server at capacity', refusal);
      if ((socket.handshake.auth as { token?: string }).token !== validToken)
        return fail('Unauthorized', 'UNAUTHORIZED');
      next();
    });
    io.on('connection', (socket) => {
      serverSockets.push(socket);
      socket.onAny((event: string, message: Wrapped, ack: Ack) => {
        received.push({ event, message });
        const uid = message.payload.uid as number;
        if (event === 'clarity.model/get' || event === 'clarity/model-get') {
          if (uid === 0) {
            ack({
              id: 'b',
              type: 'response',
              success: false,
              error: "Parameter 'uid' must be a positive integer",
              code: 'BAD_REQUEST',
              correlationId: message.id,
              timestamp: Date.now(),
            });
          } else ack(ok(message, { uid, name: `entity ${uid}` }));
        } else if (event === 'clarity.model/subscribe') {
          void socket.join(`entity:${uid}`);
          ack(ok(message, { uid, subscribed: true }));
        } else if (event === 'clarity.model/unsubscribe') {
          void socket.leave(`entity:${uid}`);
          ack(ok(message, { uid, subscribed: false }));
        } // anything else: no answer (timeouts)
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    validToken = 'good';
    refusal = undefined;
    received.length = 0;
  });

  after(async () => {
    for (const c of clients) c.close();
    await io.close();
  });

  async function connect(options: Partial<Parameters<typeof ClarityClient.connect>[0]> = {}): Promise<ClarityClient> {
    const client = await ClarityClient.connect({
      url,
      token: 'good',
      reconnect: { delayMs: 50, maxDelayMs: 200 },
      ...options,
    });
    clients.push(client);
    return client;
  }

  test('a request is sent in the wrapper and resolves with the data', async () => {
    const client = await connect();
    const model = await client.request('clarity.model/get', { uid: 730044 });
    assert.deepEqual(model as unknown, { uid: 730044, name: 'entity 730044' });
    const [sent] = received;
    assert.equal(sent!.event, 'clarity.model/get');
    assert.equal(sent!.message.type, 'request');
    assert.deepEqual(sent!.message.payload, { uid: 730044 });
    assert.match(sent!.message.id, /^[\w-]+$/);
    await client.request('clarity/model-get', { uid: 1 }, { correlationId: 'mine-1' });
    assert.equal(received[1]!.message.id, 'mine-1');
  });

  test('an error answer rejects with ClarityRequestError carrying code, correlationId and event', async () => {
    const client = await connect();
    const error = await client.getModel(0).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ClarityRequestError);
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(error.message, "Parameter 'uid' must be a positive integer");
    assert.equal(error.event, 'clarity.model/get');
    assert.equal(error.correlationId, received[0]!.message.id);
  });

  test('no answer in time rejects with TIMEOUT', async () => {
    const client = await connect({ requestTimeoutMs: 100 });
    const error = await client.request('clarity.model/history', { uid: 1 }).catch((e: unknown) => e);
    assert.ok(error instanceof ClarityRequestError);
    assert.equal(error.code, 'TIMEOUT');
  });

  test('a refused token without refreshToken rejects with ClarityConnectError UNAUTHORIZED', async () => {
    const error = await ClarityClient.connect({ url, token: 'stale' }).catch((e: unknown) => e);
    assert.ok(error instanceof ClarityConnectError);
    assert.equal(error.code, 'UNAUTHORIZED');
  });

  test('on UNAUTHORIZED the client asks refreshToken for a new token and connects with it', async () => {
    const asked: number[] = [];
    const client = await connect({
      token: 'stale',
      refreshToken: async () => {
        asked.push(Date.now());
        return 'good';
      },
    });
    assert.equal(client.connected, true);
    assert.equal(asked.length, 1);
  });

  test('a refresh that keeps giving refused tokens gives up after maxTokenRefreshes', async () => {
    let asked = 0;
    const error = await ClarityClient.connect({
      url,
      token: 'stale',
      maxTokenRefreshes: 2,
      refreshToken: () => `still-stale-${++asked}`,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof ClarityConnectError);
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal(asked, 2);
  });

  test('CAPACITY at the first connect rejects with its code', async () => {
    refusal = 'CAPACITY';
    const error = await ClarityClient.connect({ url, token: 'good' }).catch((e: unknown) => e);
    assert.ok(error instanceof ClarityConnectError);
    assert.equal(error.code, 'CAPACITY');
  });

  test('onModelUpdated delivers the updates of its uid, and again after a reconnection', async () => {
    const client = await connect();
    const updates: ModelUpdate[] = [];
    const stop = await client.onModelUpdated(42, (u) => updates.push(u));
    await client.onModelUpdated(43, () => assert.fail('not subscribed to 43 updates'));
    assert.equal(received.filter((r) => r.event === 'clarity.model/subscribe').length, 2);
    const change = { field: 'name', fact_uid: 1, oldValue: 'a', newValue: 'b', changedBy: 'bob', changedAt: 'now' };
    io.to('entity:42').emit('clarity.model/updated', {
      id: 'e',
      type: 'event',
      topic: 'clarity.model/updated',
      payload: { uid: 42, change },
      timestamp: 1234,
    });
    await waitFor(() => updates.length === 1);
    assert.deepEqual(updates[0], { uid: 42, change, timestamp: 1234 });

    // The transport drops: socket.io-client reconnects with back-off; the client subscribes again.
    serverSockets = [];
    const reconnected = new Promise<boolean>((resolve) => client.on('connect', resolve));
    client.socket.io.engine.close();
    assert.equal(await reconnected, true);
    await waitFor(() => received.filter((r) => r.event === 'clarity.model/subscribe').length === 4);
    // A bare `{uid, change}` (older servers) is read too.
    io.to('entity:42').emit('clarity.model/updated', { uid: 42, change });
    await waitFor(() => updates.length === 2);
    assert.deepEqual(updates[1], { uid: 42, change });

    await stop();
    assert.ok(received.some((r) => r.event === 'clarity.model/unsubscribe' && r.message.payload.uid === 42));
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
