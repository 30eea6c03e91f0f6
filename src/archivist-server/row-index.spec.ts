import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RowIndex } from './row-index.js';

/** Rows 0..n-1 with a key and a fact uid each. */
function table(rows: Array<[key: number, factUid: number]>) {
  return {
    keyOf: (row: number) => rows[row]![0],
    factUidOf: (row: number) => rows[row]![1],
    push(key: number, factUid: number): number {
      rows.push([key, factUid]);
      return rows.length - 1;
    },
  };
}

const list = (rows: ArrayLike<number>) => Array.from(rows);

describe('RowIndex', () => {
  test('groups rows by key, each list in fact uid order even when the table is not', () => {
    const t = table([
      [10, 5],
      [20, 1],
      [10, 3],
      [10, 9],
      [Number.NaN, 4], // no key: not indexed
      [20, 2],
    ]);
    const index = new RowIndex();
    index.build(6, t.keyOf, t.factUidOf);
    assert.deepEqual(list(index.rowsOf(10)), [2, 0, 3]);
    assert.deepEqual(list(index.rowsOf(20)), [1, 5]);
    assert.deepEqual(list(index.rowsOf(30)), []);
    assert.equal(index.has(10), true);
    assert.equal(index.has(30), false);
    assert.equal(index.keyCount, 2);
    assert.throws(() => index.build(6, t.keyOf, t.factUidOf), /already built/);
  });

  test('rows added after the build join their list at their place by fact uid, new keys too', () => {
    const t = table([
      [10, 5],
      [10, 7],
      [20, 1],
    ]);
    const index = new RowIndex();
    index.build(3, t.keyOf, t.factUidOf);
    const before = index.rowsOf(10);
    index.add(10, t.push(10, 6), t.factUidOf);
    index.add(10, t.push(10, 100), t.factUidOf);
    index.add(30, t.push(30, 2), t.factUidOf);
    assert.deepEqual(list(before), [0, 1], 'a list answered before the adds is not changed by them');
    assert.deepEqual(list(index.rowsOf(10)), [0, 3, 1, 4]);
    assert.deepEqual(list(index.rowsOf(20)), [2]);
    assert.deepEqual(list(index.rowsOf(30)), [5]);
    assert.equal(index.keyCount, 3);
    assert.deepEqual(
      [10, 20, 30, 40].map((key) => index.countOf(key)),
      [4, 1, 1, 0],
      'countOf counts built and grown lists',
    );
  });

  test('a large build: every row once under its key', () => {
    const rows: Array<[number, number]> = [];
    for (let i = 0; i < 100_000; i++) rows.push([i % 997, 1_000_000 - i]);
    const t = table(rows);
    const index = new RowIndex();
    index.build(rows.length, t.keyOf, t.factUidOf);
    let total = 0;
    for (let key = 0; key < 997; key++) {
      const found = list(index.rowsOf(key));
      total += found.length;
      for (let i = 1; i < found.length; i++) assert.ok(t.factUidOf(found[i - 1]!) < t.factUidOf(found[i]!));
      for (const row of found) assert.equal(t.keyOf(row), key);
    }
    assert.equal(total, rows.length);
  });
});
