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

test('a request takes its cost: a batch of N costs N tokens', () => {
  let now = 0;
  const bucket = new TokenBucket(100, () => now);
  assert.equal(bucket.tryTake(50), true);
  assert.equal(bucket.tryTake(50), true);
  assert.equal(bucket.tryTake(1), false, 'the two batches emptied the bucket');
  now += 490; // 49 tokens
  assert.equal(bucket.tryTake(50), false, 'not enough for another batch of 50');
  assert.equal(bucket.tryTake(49), true);
  now += 60_000;
  assert.equal(bucket.tryTake(101), true, 'a cost over the burst needs a full bucket…');
  now += 10; // +1 token: the bucket is at 0, still in debt
  assert.equal(bucket.tryTake(1), false, '…and leaves it in debt');
  now += 1000;
  assert.equal(bucket.tryTake(1), true);
});

test('over any run, the costs taken stay within rate × (1 + seconds)', () => {
  let now = 0;
  const rate = 100;
  const bucket = new TokenBucket(rate, () => now);
  let taken = 0;
  for (let step = 0; step < 10_000; step++) {
    now += (step * 7919) % 13; // irregular arrivals, 0..12 ms apart
    const cost = 1 + ((step * 31) % 100);
    if (bucket.tryTake(cost)) taken += cost;
    assert.ok(taken <= rate * (1 + now / 1000) + 1e-9, `step ${step}: ${taken} tokens in ${now} ms`);
  }
});
