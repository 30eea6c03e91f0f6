import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClarityError } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import type { SessionRecord, SessionRepository } from './session.repository.js';
import { createSessionSchema, updateSessionSchema } from './session.schemas.js';
import { DEFAULT_SESSION_LIMITS, SessionsService, type SessionLimits } from './sessions.service.js';

const A_UUID = '0b6d3c8e-8d7f-4c1e-9a4b-2f1e0d9c8b7a';
const LIMITS: SessionLimits = { sessionsPerUser: 3, stateMaxBytes: 256 * 1024, storageBytesPerUser: 1024 * 1024 };

function record(): SessionRecord {
  const now = new Date();
  return {
    id: A_UUID,
    owner: 'alice',
    name: 'n',
    state: {},
    version: 1,
    createdAt: now,
    updatedAt: now,
    updatedAtMicros: '1',
  };
}

/** SessionsService over a fake repository that records what reached it. */
function service(answer: unknown, limits = LIMITS) {
  const calls: Array<[string, unknown[]]> = [];
  const repository = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        async (...args: unknown[]) => {
          calls.push([method, args]);
          return answer;
        },
    },
  ) as SessionRepository;
  const rejected: string[] = [];
  const metrics = { quotaRejected: (quota: string) => rejected.push(quota) };
  return { sessions: new SessionsService(repository, limits, metrics as never), calls, rejected };
}

async function refusal(call: Promise<unknown>): Promise<ClarityError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ClarityError);
    return error;
  }
  assert.fail('expected a refusal');
}

test('a state over SESSION_STATE_MAX_BYTES is QUOTA_EXCEEDED naming the parameter and the limit, before the database', async () => {
  const { sessions, calls, rejected } = service(record());
  const huge = { blob: 'x'.repeat(300 * 1024) };
  for (const call of [
    sessions.create('alice', parseParams(createSessionSchema, { name: 'a', state: huge })),
    sessions.update('alice', parseParams(updateSessionSchema, { id: A_UUID, version: 1, state: huge })),
  ]) {
    const error = await refusal(call);
    assert.equal(error.code, 'QUOTA_EXCEEDED');
    assert.equal(
      error.message,
      "Quota exceeded: Parameter 'state' must not be larger than 262144 bytes when serialized (SESSION_STATE_MAX_BYTES)",
    );
  }
  assert.deepEqual(calls, [], 'nothing reached the repository');
  assert.deepEqual(rejected, ['session_state_bytes', 'session_state_bytes']);
});

test('a state of exactly the limit is accepted and its size is what the quota counts', async () => {
  const { sessions, calls } = service(record());
  const state = { blob: 'x'.repeat(256 * 1024 - '{"blob":""}'.length) };
  await sessions.create('alice', parseParams(createSessionSchema, { name: 'a', state }));
  assert.equal(calls.length, 1);
  const [method, args] = calls[0]!;
  assert.equal(method, 'insertWithinQuota');
  assert.equal((args[0] as { stateBytes: number }).stateBytes, 256 * 1024);
  assert.deepEqual(args[1], LIMITS);
});

test('the repository refusals become QUOTA_EXCEEDED naming SESSIONS_PER_USER or SESSION_STORAGE_PER_USER_MB', async () => {
  const tooMany = service({ refused: 'sessions', usage: { sessions: 3, bytes: 10 } });
  const many = await refusal(tooMany.sessions.create('alice', { name: 'a' }));
  assert.equal(many.code, 'QUOTA_EXCEEDED');
  assert.match(many.message, /^Quota exceeded: at most 3 modelling sessions per user.*\(SESSIONS_PER_USER\)$/);
  assert.deepEqual(tooMany.rejected, ['sessions_per_user']);

  const tooBig = service({ refused: 'storage', usage: { sessions: 2, bytes: 1_000_000 } });
  const big = await refusal(tooBig.sessions.update('alice', { id: A_UUID, version: 1, state: { a: 1 } }));
  assert.equal(big.code, 'QUOTA_EXCEEDED');
  assert.match(
    big.message,
    /^Quota exceeded: at most 1048576 bytes of session state per user.*\(SESSION_STORAGE_PER_USER_MB\)$/,
  );
  assert.deepEqual(tooBig.rejected, ['session_storage_bytes_per_user']);
});

test('an update without a state needs no quota check; the defaults are those of the spec', async () => {
  const { sessions, calls } = service(record());
  await sessions.update('alice', { id: A_UUID, version: 1, name: 'renamed' });
  assert.deepEqual(
    calls.map(([method]) => method),
    ['updateIfVersion'],
  );
  assert.deepEqual(DEFAULT_SESSION_LIMITS, {
    sessionsPerUser: 1000,
    stateMaxBytes: 1024 * 1024,
    storageBytesPerUser: 100 * 1024 * 1024,
  });
});
