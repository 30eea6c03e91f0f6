import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { connect, request } from '../support/socket-client.js';

/**
 * The session API of spec §3 end to end: two users on real socket.io clients
 * against a started Clarity on PostgreSQL.
 */
describe('sessions over Socket.IO', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;
  let alice: Socket;
  let bob: Socket;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    // SESSION_STATE_MAX_BYTES as before spec revision 2 (256 KiB), so a 300 KiB state is over it.
    clarity = await startClarityProcess({ ...db.env, WS_RATE_LIMIT: '1000', SESSION_STATE_MAX_BYTES: '262144' });
    alice = await connect(clarity.url, { token: await mintToken('alice') });
    bob = await connect(clarity.url, { token: await mintToken('bob') });
  });

  after(async () => {
    alice?.close();
    bob?.close();
    assert.equal((await clarity.stop()).code, 0, clarity.output());
    await cleanup();
  });

  test('create, get, update, delete; another user sees NOT_FOUND, as for a missing id', async () => {
    const created = await request(alice, 'clarity.session/create', { name: 'pump study', state: { open: [730044] } });
    assert.equal(created.success, true, JSON.stringify(created));
    const id: string = created.data.id;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(created.data.version, 1);
    assert.deepEqual(created.data.state, { open: [730044] });

    const got = await request(alice, 'clarity.session/get', { id });
    assert.deepEqual(got.data, created.data);

    const missing = await request(alice, 'clarity.session/get', { id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(missing.code, 'NOT_FOUND');
    for (const [event, payload] of [
      ['clarity.session/get', { id }],
      ['clarity.session/update', { id, name: 'stolen', version: 1 }],
      ['clarity.session/delete', { id }],
    ] as const) {
      const foreign = await request(bob, event, payload);
      assert.equal(foreign.code, 'NOT_FOUND', `${event}: ${JSON.stringify(foreign)}`);
      assert.equal(foreign.error, (missing.error ?? '').replace('00000000-0000-4000-8000-000000000000', id));
    }

    const updated = await request(alice, 'clarity.session/update', { id, name: 'pump study 2', version: 1 });
    assert.equal(updated.success, true, JSON.stringify(updated));
    assert.equal(updated.data.version, 2);
    assert.equal(updated.data.name, 'pump study 2');

    const stale = await request(alice, 'clarity.session/update', { id, name: 'late', version: 1 });
    assert.equal(stale.code, 'CONFLICT');
    assert.equal((await request(alice, 'clarity.session/get', { id })).data.name, 'pump study 2');

    const deleted = await request(alice, 'clarity.session/delete', { id });
    assert.deepEqual(deleted.data, { id, deleted: true });
    assert.equal((await request(alice, 'clarity.session/get', { id })).code, 'NOT_FOUND');
  });

  test('two concurrent updates with the same version: exactly one wins', async () => {
    const { data } = await request(alice, 'clarity.session/create', { name: 'race' });
    const other = await connect(clarity.url, { token: await mintToken('alice') });
    try {
      const [a, b] = await Promise.all([
        request(alice, 'clarity.session/update', { id: data.id, state: { by: 'first' }, version: data.version }),
        request(other, 'clarity.session/update', { id: data.id, state: { by: 'second' }, version: data.version }),
      ]);
      const outcomes = [a, b].map((r) => (r.success ? 'ok' : r.code)).sort();
      assert.deepEqual(outcomes, ['CONFLICT', 'ok']);
      const winner = a.success ? a : b;
      const now = await request(alice, 'clarity.session/get', { id: data.id });
      assert.deepEqual(now.data.state, winner.data.state);
      assert.equal(now.data.version, data.version + 1);
    } finally {
      other.close();
    }
  });

  test('list: only the caller’s sessions, newest first, paginated by cursor', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `page item ${i}`);
    for (const name of names) {
      assert.equal((await request(bob, 'clarity.session/create', { name })).success, true);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await request(bob, 'clarity.session/list', cursor ? { limit: 3, cursor } : { limit: 3 });
      assert.equal(page.success, true, JSON.stringify(page));
      assert.ok(page.data.items.length <= 3);
      seen.push(...page.data.items.map((s: { name: string }) => s.name));
      cursor = page.data.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, [...names].reverse());
    const alicesList = await request(alice, 'clarity.session/list', {});
    assert.ok(alicesList.data.items.every((s: { name: string }) => !s.name.startsWith('page item')));
  });

  test('validation errors name the parameter and never reach the database', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['clarity.session/create', {}, /'name'/],
      ['clarity.session/create', { name: '' }, /'name'/],
      ['clarity.session/create', { name: 'x'.repeat(256) }, /'name'/],
      ['clarity.session/create', { name: 'ok', state: [1, 2] }, /'state'/],
      ['clarity.session/get', { id: "1' OR '1'='1" }, /'id'/],
      ['clarity.session/update', { id: '00000000-0000-4000-8000-000000000000', version: -1 }, /'version'/],
    ];
    for (const [event, payload, message] of cases) {
      const r = await request(alice, event, payload);
      assert.equal(r.code, 'BAD_REQUEST', `${event} ${JSON.stringify(payload).slice(0, 80)}: ${JSON.stringify(r)}`);
      assert.match(r.error ?? '', message);
    }
    // A state over SESSION_STATE_MAX_BYTES is a quota (spec §3): QUOTA_EXCEEDED naming the parameter and the limit.
    const big = await request(alice, 'clarity.session/create', { name: 'ok', state: { big: 'x'.repeat(300 * 1024) } });
    assert.equal(big.code, 'QUOTA_EXCEEDED', JSON.stringify(big).slice(0, 200));
    assert.equal(
      big.error,
      "Quota exceeded: Parameter 'state' must not be larger than 262144 bytes when serialized (SESSION_STATE_MAX_BYTES)",
    );
    const list = await request(alice, 'clarity.session/list', { limit: 100 });
    assert.ok(!list.data.items.some((item: { name: string }) => item.name === 'ok'), 'nothing was stored');
  });

  test('the messages of spec §3 reach the client word for word', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['clarity.session/create', {}, "Required parameter 'name' not provided"],
      ['clarity.session/create', { name: 5 }, "Parameter 'name' must be a string"],
      ['clarity.session/create', { name: '   ' }, "Parameter 'name' must not be empty"],
      [
        'clarity.session/update',
        { id: '00000000-0000-4000-8000-000000000000' },
        "Required parameter 'version' not provided",
      ],
      ['clarity.session/update', { id: 7, version: 1 }, "Parameter 'id' must be a UUID string"],
      ['clarity.session/get', {}, "Required parameter 'id' not provided"],
      ['clarity.session/list', { limit: 0 }, "Parameter 'limit' must be an integer between 1 and 100"],
      ['clarity.session/list', { includeState: 'yes' }, "Parameter 'includeState' must be true or false"],
      ['clarity.session/create', [1], 'Payload must be a JSON object'],
    ];
    for (const [event, payload, message] of cases) {
      const r = await request(alice, event, payload);
      assert.equal(r.success, false, `${event} ${JSON.stringify(payload)}`);
      assert.equal(r.code, 'BAD_REQUEST', `${event} ${JSON.stringify(payload)}`);
      assert.equal(r.error, message, `${event} ${JSON.stringify(payload)}`);
    }
  });

  test('unicode names and a large state round-trip unchanged', async () => {
    const name = 'Pumpe P-101 — 泵 🚰 ñandú';
    const state = {
      rows: Array.from({ length: 2000 }, (_, i) => ({
        uid: 2_000_000 + i,
        label: `élément ${i} ✓`,
        open: i % 2 === 0,
      })),
      nested: { deep: { deeper: { text: 'ℵ₀ ≠ ∅' } } },
    };
    const created = await request(alice, 'clarity.session/create', { name, state });
    assert.equal(created.success, true, JSON.stringify(created).slice(0, 300));
    const got = await request(alice, 'clarity.session/get', { id: created.data.id });
    assert.equal(got.data.name, name);
    assert.deepEqual(got.data.state, state);
  });
});
