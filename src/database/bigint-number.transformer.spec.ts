import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigintAsNumber } from './bigint-number.transformer.js';

test('bigint columns are read as exact numbers; beyond the safe range is an error', () => {
  assert.equal(bigintAsNumber.from('9007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.equal(bigintAsNumber.from(null), null);
  assert.equal(bigintAsNumber.from(7), 7);
  assert.throws(() => bigintAsNumber.from('9007199254740993'), /not a safe integer/);
  assert.equal(bigintAsNumber.to(42), 42);
});
