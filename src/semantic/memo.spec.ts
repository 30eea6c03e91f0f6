import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Memo } from './memo.js';

/** A build whose completion the test controls. */
function controlledBuilds() {
  const started: number[] = [];
  const pending: Array<{ key: number; resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  const build = (key: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(key);
      pending.push({ key, resolve, reject });
    });
  return { started, pending, build };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Memo', () => {
  test('concurrent misses share one build; hits hand out the same settled promise', async () => {
    const { started, pending, build } = controlledBuilds();
    const memo = new Memo<number, string>(10, build);
    const a = memo.get(1);
    const b = memo.get(1);
    await tick();
    assert.deepEqual(started, [1]);
    pending[0].resolve('one');
    assert.deepEqual(await Promise.all([a, b]), ['one', 'one']);
    const hit = memo.get(1);
    assert.equal(memo.get(1), hit, 'a hit allocates nothing');
    assert.equal(await hit, 'one');
    assert.deepEqual(started, [1]);
  });

  test('hit answers a kept value without a promise and counts as use; a miss starts nothing', async () => {
    const builds: number[] = [];
    const memo = new Memo<number, string>(2, async (key) => {
      builds.push(key);
      return `v${key}`;
    });
    assert.equal(memo.hit(1), undefined);
    assert.deepEqual(builds, [], 'no build on a miss');
    await memo.get(1);
    await memo.get(2);
    assert.equal(memo.hit(1), 'v1', 'a plain value');
    await memo.get(3); // max 2: the least recently used goes, which is 2 since hit(1) used 1
    assert.equal(memo.peek(2), undefined);
    assert.equal(memo.hit(1), 'v1');
    assert.deepEqual(builds, [1, 2, 3]);
  });

  test('a failed build is not remembered', async () => {
    const { started, pending, build } = controlledBuilds();
    const memo = new Memo<number, string>(10, build);
    const failing = memo.get(2);
    await tick();
    pending[0].reject(new Error('down'));
    await assert.rejects(failing, /down/);
    const again = memo.get(2);
    await tick();
    pending[1].resolve('two');
    assert.equal(await again, 'two');
    assert.deepEqual(started, [2, 2]);
  });

  test('an entry deleted during its build answers its callers but is not kept', async () => {
    const { started, pending, build } = controlledBuilds();
    const memo = new Memo<number, string>(10, build);
    const during = memo.get(3);
    await tick();
    memo.delete(3);
    pending[0].resolve('stale');
    assert.equal(await during, 'stale');
    const after = memo.get(3);
    await tick();
    pending[1].resolve('fresh');
    assert.equal(await after, 'fresh');
    assert.deepEqual(started, [3, 3]);
  });

  test('the build gets the context of the first caller; max bounds the entries', async () => {
    const seen: Array<[number, string | undefined]> = [];
    const memo = new Memo<number, string, string>(1, async (key, context) => {
      seen.push([key, context]);
      return `${key}:${context}`;
    });
    assert.equal(await memo.get(1, 'a'), '1:a');
    assert.equal(await memo.get(2, 'b'), '2:b');
    assert.equal(await memo.get(1, 'c'), '1:c', 'evicted, so built again');
    assert.deepEqual(seen, [
      [1, 'a'],
      [2, 'b'],
      [1, 'c'],
    ]);
  });

  test('with sizing, entries are evicted by bytes, least recently used first; an oversized value is not kept', async () => {
    const builds: number[] = [];
    const memo = new Memo<number, string>(
      100,
      async (key) => {
        builds.push(key);
        return 'x'.repeat(key);
      },
      { maxBytes: 100, sizeOf: (v) => v.length },
    );
    await memo.get(40);
    await memo.get(30);
    assert.equal(memo.bytes, 70);
    await memo.get(40); // 40 is now the most recently used
    await memo.get(50); // 120 > 100: the least recently used (30) goes
    assert.equal(memo.bytes, 90);
    assert.equal(memo.size, 2);
    assert.equal(memo.peek(30), undefined);
    assert.equal(memo.peek(40)?.length, 40);
    assert.equal((await memo.get(150)).length, 150, 'answered');
    assert.equal(memo.peek(150), undefined, 'but not kept');
    assert.equal(memo.bytes, 90);
    await memo.get(30);
    assert.deepEqual(builds, [40, 30, 50, 150, 30]);
    assert.ok(memo.bytes <= 100);
  });
});
