import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

test('a full bucket allows a burst of its rate, then refills continuously', () => {
  let now = 0;
  const bucket = new TokenBucket(10, () => now);
  for (let i = 0; i < 10; i++) assert.equal(bucket.tryTake(), true, `burst ${i}`);
  assert.equal(bucket.tryTake(), false);
  now += 100; // 0.1 s refills one token
  assert.equal(bucket.tryTake(), true);
  assert.equal(bucket.tryTake(), false);
  now += 60_000; // never more than the burst
  for (let i = 0; i < 10; i++) assert.equal(bucket.tryTake(), true);
  assert.equal(bucket.tryTake(), false);
});
