import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENVIRONMENT_MAX_MODELS, environmentUids, loadEnvironment } from './environment.js';
import type { SessionDto } from './session.serializer.js';

const session = (state: Record<string, unknown>): SessionDto => ({
  id: '6f1c2d3e-4a5b-4c6d-8e7f-901234567890',
  name: 'workspace',
  state,
  version: 1,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
});

describe('environment', () => {
  test('uids: numbers and digit strings, bad entries as holes, at most 100, no array = none', () => {
    assert.deepEqual(environmentUids({ uids: [730044, '160170', 'x', -1, null, 2.5, { uid: 1 }] }), [
      730044,
      160170,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    assert.deepEqual(environmentUids({}), []);
    assert.deepEqual(environmentUids({ uids: '730044' }), []);
    const many = Array.from({ length: 150 }, (_, i) => i + 1);
    assert.deepEqual(environmentUids({ uids: many }), many.slice(0, ENVIRONMENT_MAX_MODELS));
  });

  test('models fill the slots in order; the batch is asked once, only for valid uids', async () => {
    const asked: number[][] = [];
    const batch = async (uids: number[]) => {
      asked.push(uids);
      return uids.map((uid) => (uid === 999 ? null : { uid }));
    };
    const env = await loadEnvironment(session({ uids: [1, 'bad', 999, '2', 1], other: true }), batch);
    assert.deepEqual(asked, [[1, 999, 2, 1]]);
    assert.deepEqual(env.models, [{ uid: 1 }, null, null, { uid: 2 }, { uid: 1 }]);
    assert.deepEqual(env.state, { uids: [1, 'bad', 999, '2', 1], other: true });
    assert.equal(env.name, 'workspace');
    const empty = await loadEnvironment(session({ note: 'no uids' }), batch);
    assert.deepEqual(empty.models, []);
    assert.equal(asked.length, 1, 'no batch for no uids');
  });
});
