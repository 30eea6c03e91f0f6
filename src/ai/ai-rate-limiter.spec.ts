import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AiRateLimiter, FixedWindowCounter, WINDOW_MS } from './ai-rate-limiter.js';

describe('AI rate limit (per user per minute)', () => {
  test('a user gets `limit` takes per clock minute; other users are counted apart', () => {
    const counter = new FixedWindowCounter();
    const t0 = 10 * WINDOW_MS;
    assert.deepEqual(
      [1, 2, 3, 4].map(() => counter.take('alice', 3, t0 + 5)),
      [true, true, true, false],
    );
    assert.equal(counter.take('bob', 3, t0 + 10), true);
    assert.equal(counter.take('alice', 3, t0 + WINDOW_MS - 1), false);
    // the next minute starts afresh and forgets the old one
    assert.equal(counter.take('alice', 3, t0 + WINDOW_MS), true);
    assert.equal(counter.size, 1);
  });

  test('without Redis the limiter counts in this process', async () => {
    const limiter = new AiRateLimiter(2, undefined);
    const now = 7 * WINDOW_MS;
    assert.deepEqual(
      [await limiter.tryTake('u', now), await limiter.tryTake('u', now), await limiter.tryTake('u', now)],
      [true, true, false],
    );
    assert.equal(await limiter.tryTake('v', now), true);
  });

  test('a Redis client that is not ready is not waited for: the process counter answers', async () => {
    const notReady = { status: 'reconnecting' } as never;
    const limiter = new AiRateLimiter(1, notReady);
    assert.equal(await limiter.tryTake('u'), true);
    assert.equal(await limiter.tryTake('u'), false);
  });
});
