import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClarityError } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import { HISTORY_MAX_LIMIT, historyRequestSchema } from './change-log.schemas.js';

test('history: {uid, limit?}, limit 1..HISTORY_MAX_LIMIT', () => {
  assert.deepEqual(parseParams(historyRequestSchema, { uid: 7 }), { uid: 7 });
  assert.deepEqual(parseParams(historyRequestSchema, { uid: '7', limit: '10' }), { uid: 7, limit: 10 });
  for (const [payload, message] of [
    [{}, "Required parameter 'uid' not provided"],
    [{ uid: -5 }, "Parameter 'uid' must be a positive integer"],
    [
      { uid: 1, limit: HISTORY_MAX_LIMIT + 1 },
      `Parameter 'limit' must be an integer between 1 and ${HISTORY_MAX_LIMIT}`,
    ],
    [{ uid: 1, limit: 0 }, `Parameter 'limit' must be an integer between 1 and ${HISTORY_MAX_LIMIT}`],
  ] as const) {
    assert.throws(
      () => parseParams(historyRequestSchema, payload),
      (error: unknown) => error instanceof ClarityError && error.code === 'BAD_REQUEST' && error.message === message,
    );
  }
});
