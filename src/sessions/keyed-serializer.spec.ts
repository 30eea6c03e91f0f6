import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedSerializer } from './keyed-serializer.js';

test('tasks of one key run one at a time, in order, failures included; other keys run alongside', async () => {
  const serializer = new KeyedSerializer();
  const log: string[] = [];
  let running = 0;
  const task =
    (name: string, fail = false) =>
    async () => {
      running += 1;
      assert.equal(running <= 2, true);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${name}`);
      running -= 1;
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([
    serializer.run('alice', task('a1')),
    serializer.run('alice', task('a2', true)),
    serializer.run('alice', task('a3')),
    serializer.run('bob', task('b1')),
  ]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    ['a1', 'a2', 'a3', 'b1'],
  );
  const alice = log.filter((l) => l.endsWith('1') || l.includes(' a'));
  assert.deepEqual(
    alice.filter((l) => l.includes(' a')),
    ['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3'],
  );
  assert.ok(log.indexOf('start b1') < log.indexOf('end a1'), 'bob did not wait for alice');
  await new Promise((r) => setImmediate(r));
  assert.equal(serializer.size, 0, 'keys are forgotten when idle');
});
