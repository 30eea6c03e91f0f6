import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JwtService } from '@nestjs/jwt';
import { ClarityClient, ClarityConnectError, ClarityRequestError, type ModelUpdate } from '../../src/client/index.js';
import { Category } from '../../src/gellish/gellish-uids.js';
import {
  databaseEnv,
  mintToken,
  startClarityProcess,
  TEST_JWT_SECRET,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { eventually } from '../support/socket-client.js';

/** The typed client (src/client) against a started Clarity: embedded Archivist, real PostgreSQL. */
describe('typed client against a started Clarity', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;
  const clients: ClarityClient[] = [];

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, WS_RATE_LIMIT: '200' });
  });
  after(async () => {
    for (const c of clients) c.close();
    if (clarity?.child.exitCode === null) {
      const { code } = await clarity.stop();
      assert.equal(code, 0, clarity.output());
    }
    await cleanup?.();
  });

  async function connect(sub: string, options: Partial<Parameters<typeof ClarityClient.connect>[0]> = {}) {
    const client = await ClarityClient.connect({ url: clarity.url, token: await mintToken(sub), ...options });
    clients.push(client);
    return client;
  }

  test('connects with a token and gets a model, a batch and a session, typed', async () => {
    const client = await connect('alice');
    const model = await client.getModel(Category.PHYSICAL_OBJECT, { includeFacts: false });
    assert.equal(model.uid, Category.PHYSICAL_OBJECT);
    assert.equal(model.category, 'physical object');
    assert.equal(model.facts, undefined);
    const [role, missing] = await client.getModels([Category.ROLE, 999999999]);
    assert.equal(role?.category, 'role');
    assert.equal(missing, null);
    const alias = await client.request('clarity/model-get', { uid: String(Category.ASPECT) });
    assert.equal(alias.uid, Category.ASPECT);
    const session = await client.request('clarity.session/create', { name: 'typed', state: { open: [1] } });
    const updated = await client.request('clarity.session/update', {
      id: session.id,
      version: session.version,
      name: 'renamed',
    });
    assert.equal(updated.name, 'renamed');
  });

  test('failures are ClarityRequestError with the code and the correlation id', async () => {
    const client = await connect('alice');
    const bad = await client.getModel(0).catch((e: unknown) => e);
    assert.ok(bad instanceof ClarityRequestError, String(bad));
    assert.equal(bad.code, 'BAD_REQUEST');
    assert.equal(bad.message, "Parameter 'uid' must be a positive integer");
    assert.ok(bad.correlationId);
    const missing = await client
      .request('clarity.model/get', { uid: 987654321 }, { correlationId: 'it-404' })
      .catch((e: unknown) => e);
    assert.ok(missing instanceof ClarityRequestError);
    assert.equal(missing.code, 'NOT_FOUND');
    assert.equal(missing.correlationId, 'it-404');
    const wrongNature = await client.request('clarity.individual/get', { uid: Category.ROLE }).catch((e: unknown) => e);
    assert.ok(wrongNature instanceof ClarityRequestError);
    assert.equal(wrongNature.code, 'WRONG_NATURE');
    assert.equal(client.connected, true, 'a failing request never closes the socket');
  });

  test('a subscription receives an update made by another client, and again after a reconnection', async () => {
    const watcher = await connect('bob');
    const editor = await connect('alice');
    const updates: ModelUpdate[] = [];
    const stop = await watcher.onModelUpdated(Category.OCCURRENCE, (u) => updates.push(u));

    const first = await editor.request('clarity.model/update-name', { uid: Category.OCCURRENCE, name: 'occurrence' });
    assert.equal(first.updated, true);
    await eventually(() => updates.length === 1, 15_000, 'the first update');
    assert.equal(updates[0]!.uid, Category.OCCURRENCE);
    assert.equal(updates[0]!.change.field, 'name');
    assert.equal(updates[0]!.change.changedBy, 'alice');

    // The connection drops; socket.io-client reconnects with back-off and the client subscribes again.
    const reconnected = new Promise<boolean>((resolve) => watcher.on('connect', resolve));
    watcher.socket.io.engine.close();
    assert.equal(await reconnected, true);
    await eventually(
      async () => {
        await editor.request('clarity.model/update-name', { uid: Category.OCCURRENCE, name: 'occurrence' });
        return updates.length >= 2;
      },
      15_000,
      'an update after the reconnection',
    );
    assert.equal(updates.at(-1)!.change.changedBy, 'alice');

    await stop();
    const seen = updates.length;
    await editor.request('clarity.model/update-name', { uid: Category.OCCURRENCE, name: 'occurrence' });
    await watcher.getModel(Category.OCCURRENCE); // a round trip after the update's broadcast
    assert.equal(updates.length, seen, 'no update after the listener was removed');
  });

  test('an expired token is refreshed through refreshToken on UNAUTHORIZED', async () => {
    const expired = await new JwtService({ secret: TEST_JWT_SECRET }).signAsync(
      { exp: Math.floor(Date.now() / 1000) - 60 },
      { algorithm: 'HS256', subject: 'carol' },
    );
    const refused = await ClarityClient.connect({ url: clarity.url, token: expired }).catch((e: unknown) => e);
    assert.ok(refused instanceof ClarityConnectError);
    assert.equal(refused.code, 'UNAUTHORIZED');

    let refreshed = 0;
    const client = await ClarityClient.connect({
      url: clarity.url,
      token: expired,
      refreshToken: () => {
        refreshed++;
        return mintToken('carol');
      },
    });
    clients.push(client);
    assert.equal(refreshed, 1);
    const sessions = await client.request('clarity.session/list', {});
    assert.equal(sessions.total, 0, "carol's own (empty) session list");
  });
});
