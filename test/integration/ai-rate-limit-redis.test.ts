import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { AiRateLimiter, WINDOW_MS } from '../../src/ai/ai-rate-limiter.js';
import { closeRedisConnection, createRedisConnection } from '../../src/redis/redis-connection.js';
import { realRedisUrl } from '../support/clarity-process.js';

/**
 * The per-user AI limit across replicas: two limiters with their own connections to
 * the same real Redis (as two Clarity processes have) share one count per user.
 */
const url = realRedisUrl();

describe('AI rate limit in Redis', { skip: url ? undefined : 'REDIS_URL not set' }, () => {
  let a: Redis;
  let b: Redis;

  before(async () => {
    a = createRedisConnection(url!, { connectionName: 'ai-rate-test-a' });
    b = createRedisConnection(url!, { connectionName: 'ai-rate-test-b' });
    await Promise.all([a, b].map((c) => new Promise((resolve) => c.once('ready', resolve))));
  });
  after(async () => {
    await Promise.all([a, b].map((c) => closeRedisConnection(c)));
  });

  test('two replicas share the count of a user; the key expires with its window', async () => {
    const limit = 3;
    const one = new AiRateLimiter(limit, a);
    const two = new AiRateLimiter(limit, b);
    const user = `ai-test-${randomUUID()}`;
    const now = Date.now();
    const takes = [
      await one.tryTake(user, now),
      await two.tryTake(user, now),
      await one.tryTake(user, now),
      await two.tryTake(user, now),
      await one.tryTake(user, now),
    ];
    assert.deepEqual(takes, [true, true, true, false, false]);
    assert.equal(await two.tryTake(`${user}-other`, now), true, 'another user has their own count');
    const key = `clarity:ai-rate:${user}:${Math.floor(now / WINDOW_MS)}`;
    const ttl = await a.pttl(key);
    assert.ok(ttl > 0 && ttl <= 2 * WINDOW_MS, `ttl ${ttl}`);
    // the next window starts afresh
    assert.equal(await one.tryTake(user, now + WINDOW_MS), true);
    await a.del(
      key,
      `clarity:ai-rate:${user}:${Math.floor(now / WINDOW_MS) + 1}`,
      `clarity:ai-rate:${user}-other:${Math.floor(now / WINDOW_MS)}`,
    );
  });
});
