import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionQuotaCounter } from './user-connection-quota.js';

test('without Redis, a user holds at most max live sockets in the process; releases free slots once', async () => {
  const quota = new ConnectionQuotaCounter({ max: 2 }, undefined);
  const a = await quota.tryAcquire('alice');
  const b = await quota.tryAcquire('alice');
  assert.ok(a && b);
  assert.equal(await quota.tryAcquire('alice'), undefined, 'the third is refused');
  assert.ok(await quota.tryAcquire('bob'), 'another user is not affected');
  a.release();
  a.release(); // idempotent: frees one slot, not two
  assert.equal(quota.localCount('alice'), 1);
  const c = await quota.tryAcquire('alice');
  assert.ok(c);
  assert.equal(await quota.tryAcquire('alice'), undefined);
  b.release();
  c.release();
  assert.equal(quota.localCount('alice'), 0);
  await quota.close();
});

test('a Redis that fails every command falls back to the per-process count', async () => {
  const failing = {
    eval: async () => {
      throw new Error('Connection is closed.');
    },
    zrem: async () => {
      throw new Error('Connection is closed.');
    },
  };
  const warnings: string[] = [];
  const logger = { warn: (m: string) => void warnings.push(m), info: () => undefined };
  const quota = new ConnectionQuotaCounter({ max: 1, heartbeatMs: 60_000 }, failing as never, logger as never);
  const first = await quota.tryAcquire('alice');
  assert.ok(first);
  assert.equal(await quota.tryAcquire('alice'), undefined);
  first.release();
  assert.ok(await quota.tryAcquire('alice'));
  assert.equal(warnings.length, 1, 'one warning per outage');
  quota.abandon();
});
