import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { ClarityError } from '../../src/common/clarity-error.js';
import { parseParams } from '../../src/common/request-params.js';
import { createSessionSchema } from '../../src/sessions/session.schemas.js';
import type { SessionsService } from '../../src/sessions/sessions.service.js';
import type { ChangeLogService } from '../../src/change-log/change-log.service.js';
import { historyRequestSchema } from '../../src/change-log/change-log.schemas.js';
import {
  buildServices,
  createTestDatabase,
  dropTestDatabase,
  openDataSource,
  postgresUnavailableReason,
  testConfig,
} from '../support/db-test-database.js';

const unavailable = await postgresUnavailableReason();
if (unavailable) console.warn(`Skipping session tests: ${unavailable}`);

const ALICE = 'user-alice';
const BOB = 'user-bob';

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ClarityError, `expected a ClarityError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('SessionsService and ChangeLogService on PostgreSQL', { skip: unavailable }, () => {
  let database: string;
  let ds: DataSource;
  let sessions: SessionsService;
  let changeLog: ChangeLogService;

  before(async () => {
    database = await createTestDatabase('sessions');
    ds = await openDataSource(testConfig(database));
    ({ sessions, changeLog } = buildServices(ds));
  });
  after(async () => {
    if (ds?.isInitialized) await ds.destroy();
    if (database) await dropTestDatabase(database);
  });

  test('create → get returns the same session; version starts at 1; name is trimmed', async () => {
    // As the gateway does: the request is parsed once at the edge, the service gets the parsed input.
    const input = parseParams(createSessionSchema, { name: '  Pump model  ', state: { nodes: [1, 2] } });
    const created = await sessions.create(ALICE, input);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.name, 'Pump model');
    assert.equal(created.version, 1);
    assert.deepEqual(created.state, { nodes: [1, 2] });
    assert.ok(!Number.isNaN(Date.parse(created.createdAt)));
    assert.deepEqual(Object.keys(created).sort(), ['createdAt', 'id', 'name', 'state', 'updatedAt', 'version']);
    assert.deepEqual(await sessions.get(ALICE, created.id), created);
    const noState = await sessions.create(ALICE, { name: 'empty' });
    assert.deepEqual(noState.state, {});
  });

  test("another user's session answers NOT_FOUND for get, update and delete, exactly like a missing one", async () => {
    const mine = await sessions.create(ALICE, { name: 'private', state: { secret: true } });
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [mine.id, missing]) {
      await rejectsWith(sessions.get(BOB, id), 'NOT_FOUND', new RegExp(`^Session ${id} not found$`));
      await rejectsWith(sessions.update(BOB, { id, name: 'stolen', version: 1 }), 'NOT_FOUND', /not found/);
      await rejectsWith(sessions.delete(BOB, id), 'NOT_FOUND', /not found/);
    }
    const still = await sessions.get(ALICE, mine.id);
    assert.equal(still.name, 'private');
    assert.equal(still.version, 1);
    assert.ok(!(await sessions.list(BOB, { limit: 100 })).items.some((s) => s.id === mine.id));
  });

  test('update increments the version; a stale version is CONFLICT and changes nothing', async () => {
    const s = await sessions.create(ALICE, { name: 'v', state: { a: 1 } });
    const v2 = await sessions.update(ALICE, { id: s.id, state: { a: 2 }, version: 1 });
    assert.equal(v2.version, 2);
    assert.equal(v2.name, 'v');
    assert.deepEqual(v2.state, { a: 2 });
    assert.ok(Date.parse(v2.updatedAt) >= Date.parse(s.updatedAt));
    const v3 = await sessions.update(ALICE, { id: s.id, name: 'renamed', version: 2 });
    assert.deepEqual(v3.state, { a: 2 });
    assert.equal(v3.name, 'renamed');
    await rejectsWith(
      sessions.update(ALICE, { id: s.id, name: 'late', version: 2 }),
      'CONFLICT',
      /version 2 is stale.*3/,
    );
    assert.deepEqual(await sessions.get(ALICE, s.id), v3);
  });

  test('two concurrent updates from the same version: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await sessions.create(ALICE, { name: `race ${round}` });
      const results = await Promise.allSettled([
        sessions.update(ALICE, { id: s.id, state: { winner: 'first' }, version: 1 }),
        sessions.update(ALICE, { id: s.id, state: { winner: 'second' }, version: 1 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.equal(((lost[0] as PromiseRejectedResult).reason as ClarityError).code, 'CONFLICT');
      const stored = await sessions.get(ALICE, s.id);
      assert.equal(stored.version, 2);
      assert.deepEqual(stored.state, (won[0] as PromiseFulfilledResult<{ state: unknown }>).value.state);
    }
  });

  test('delete answers {id, deleted: true}; then the session is gone', async () => {
    const s = await sessions.create(ALICE, { name: 'doomed' });
    assert.deepEqual(await sessions.delete(ALICE, s.id), { id: s.id, deleted: true });
    await rejectsWith(sessions.get(ALICE, s.id), 'NOT_FOUND');
    await rejectsWith(sessions.delete(ALICE, s.id), 'NOT_FOUND');
  });

  test('list: only the caller’s, newest first by updatedAt, paginated by cursor without gaps or duplicates', async () => {
    const owner = 'user-pager';
    const created: Array<{ id: string }> = [];
    for (let i = 0; i < 7; i++) created.push(await sessions.create(owner, { name: `s${i}`, state: { i } }));
    // Touch s2: it becomes the newest.
    const touched = await sessions.update(owner, { id: created[2]!.id, name: 's2*', version: 1 });
    await sessions.create(BOB, { name: 'not yours' });

    const expected = [
      touched.id,
      ...created
        .filter((s) => s.id !== touched.id)
        .map((s) => s.id)
        .reverse(),
    ];
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await sessions.list(owner, { limit: 3, cursor });
      assert.equal(page.total, 7);
      assert.ok(page.items.length <= 3);
      for (const item of page.items) assert.equal(item.state, undefined);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, expected);

    const all = await sessions.list(owner, { includeState: true });
    assert.equal(all.nextCursor, null);
    assert.deepEqual(
      all.items.map((s) => s.id),
      expected,
    );
    assert.deepEqual(all.items.find((s) => s.id === created[4]!.id)?.state, { i: 4 });
    assert.deepEqual(await sessions.list('user-nobody'), { items: [], total: 0, nextCursor: null });
  });

  test('list limits: default 50, max 100', async () => {
    const owner = 'user-many';
    await Promise.all(Array.from({ length: 55 }, (_, i) => sessions.create(owner, { name: `n${i}` })));
    const first = await sessions.list(owner);
    assert.equal(first.items.length, 50);
    assert.equal(first.total, 55);
    assert.ok(first.nextCursor);
    const rest = await sessions.list(owner, { cursor: first.nextCursor });
    assert.equal(rest.items.length, 5);
    // `limit` is validated at the edge: src/sessions/session.schemas.spec.ts.
    await rejectsWith(sessions.list(owner, { cursor: 'garbage!' }), 'BAD_REQUEST', /Parameter 'cursor'/);
  });

  test('validation: every bad input is BAD_REQUEST naming the parameter, never a database error', async () => {
    // Session requests are validated once at the edge (the gateway's parseParams): their cases
    // are in src/sessions/session.schemas.spec.ts and test/sessions-socket.test.ts.
    const s = await sessions.create(ALICE, { name: 'valid' });
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      // ChangeLogService.history trusts its numbers: `clarity.model/history` is validated at the edge.
      ['history uid', async () => parseParams(historyRequestSchema, { uid: -5 }), /Parameter 'uid'/],
      ['history limit', async () => parseParams(historyRequestSchema, { uid: 1, limit: 501 }), /Parameter 'limit'/],
      [
        'record field',
        () => changeLog.record({ entityUid: 1, field: '', oldValue: null, newValue: 'x', changedBy: ALICE }),
        /Parameter 'field'/,
      ],
    ];
    for (const [label, call, message] of cases) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof ClarityError, `${label}: ${String(error)}`);
        assert.equal(error.code, 'BAD_REQUEST', label);
        assert.match(error.message, message, label);
        return true;
      });
    }
    assert.equal((await sessions.get(ALICE, s.id)).version, 1);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('unicode, a 255-character name and a large state round-trip unchanged', async () => {
    const base = [...'模型 🚀 Ünïcödé ']; // code points, as PostgreSQL counts varchar(255)
    const name = [...base, ...Array.from({ length: 255 - base.length }, () => 'é')].join('');
    assert.equal([...name].length, 255);
    const state = {
      text: 'Здравствуй, мир — 你好，世界 — 🙂🏳️‍🌈 — \u200b zero width — "quotes" \\ backslash \n newline',
      emoji: { '🔑': ['🚀', { nested: 'ç' }] },
      numbers: [0, -1, 1.5, 1e-7, 123456789012345, Number.MAX_SAFE_INTEGER, -2.5e300],
      flags: [true, false, null],
      big: Array.from({ length: 2000 }, (_, i) => ({ id: i, label: `node ${i} — ü`, tags: ['a', 'b'] })),
    };
    assert.ok(Buffer.byteLength(JSON.stringify(state)) > 64 * 1024);
    const created = await sessions.create(ALICE, { name, state });
    assert.equal(created.name, name);
    const fetched = await sessions.get(ALICE, created.id);
    assert.equal(fetched.name, name);
    assert.deepEqual(fetched.state, state);
    const updated = await sessions.update(ALICE, { id: created.id, state: { ...state, more: '∑' }, version: 1 });
    assert.deepEqual((await sessions.get(ALICE, created.id)).state, updated.state);
  });

  test('change log: record writes one row; history newest first with numbers, limit respected', async () => {
    const entityUid = 730_044;
    const before = await changeLog.history(entityUid);
    assert.deepEqual(before, []);
    const first = await changeLog.record({
      entityUid,
      factUid: 2_000_000_001,
      field: 'name',
      oldValue: 'pump',
      newValue: 'centrifugal pump',
      changedBy: ALICE,
    });
    const second = await changeLog.record({
      entityUid,
      factUid: 2_000_000_002,
      field: 'definition',
      oldValue: null,
      newValue: 'a pump that …',
      changedBy: BOB,
    });
    const third = await changeLog.record({
      entityUid,
      field: 'collection',
      oldValue: { uid: 1, name: 'a' },
      newValue: { uid: 9_007_199_254_740_991, name: 'b' },
      changedBy: ALICE,
    });
    await changeLog.record({ entityUid: entityUid + 1, field: 'name', oldValue: 'x', newValue: 'y', changedBy: ALICE });

    const history = await changeLog.history(entityUid);
    assert.deepEqual(
      history.map((h) => h.id),
      [third.id, second.id, first.id],
    );
    assert.deepEqual(history[2], first);
    assert.equal(typeof history[0]!.id, 'number');
    assert.equal(history[0]!.entityUid, entityUid);
    assert.equal(history[0]!.factUid, null);
    assert.equal(history[1]!.factUid, 2_000_000_002);
    assert.deepEqual(history[0]!.newValue, { uid: 9_007_199_254_740_991, name: 'b' });
    assert.equal(history[1]!.oldValue, null);
    assert.deepEqual(Object.keys(history[0]!).sort(), [
      'changedAt',
      'changedBy',
      'entityUid',
      'factUid',
      'field',
      'id',
      'newValue',
      'oldValue',
    ]);
    assert.deepEqual(
      (await changeLog.history(entityUid, 2)).map((h) => h.id),
      [third.id, second.id],
    );
  });
});
