import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClarityError } from '../common/clarity-error.js';
import type { Fact } from '../gellish/fact.js';
import { decodeFactsCursor, encodeFactsCursor, pageOf, sortedByFactUid } from './facts-paging.js';

function badRequest(call: () => unknown): void {
  assert.throws(
    call,
    (e: unknown) => e instanceof ClarityError && e.code === 'BAD_REQUEST' && /cursor/.test(e.message),
  );
}

test('cursors are opaque url-safe strings that round-trip for their own entity only', () => {
  const cursor = encodeFactsCursor(730044, 123456789);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodeFactsCursor(730044, cursor), 123456789);
  badRequest(() => decodeFactsCursor(730045, cursor));
  badRequest(() => decodeFactsCursor(730044, ''));
  badRequest(() => decodeFactsCursor(730044, 'not a cursor'));
  badRequest(() => decodeFactsCursor(730044, cursor.slice(1)));
  badRequest(() => decodeFactsCursor(730044, 'x'.repeat(500)));
  const forged = Buffer.from('f1.730044.5.AAAAAAAAAA').toString('base64url');
  badRequest(() => decodeFactsCursor(730044, forged));
  const edited = Buffer.from(Buffer.from(cursor, 'base64url').toString().replace('123456789', '123456788')).toString(
    'base64url',
  );
  badRequest(() => decodeFactsCursor(730044, edited));
});

test('pageOf starts after the cursor fact (present or not) and counts all', () => {
  const facts = [5, 1, 9, 3].map((fact_uid) => ({ fact_uid }) as Fact);
  const sorted = sortedByFactUid(facts);
  assert.deepEqual(
    sorted.map((f) => f.fact_uid),
    [1, 3, 5, 9],
  );
  assert.equal(sortedByFactUid(sorted), sorted, 'a sorted list is not copied');
  assert.deepEqual(
    pageOf(sorted, 0, 2).items.map((f) => f.fact_uid),
    [1, 3],
  );
  assert.deepEqual(
    pageOf(sorted, 3, 2).items.map((f) => f.fact_uid),
    [5, 9],
  );
  assert.deepEqual(
    pageOf(sorted, 4, 10).items.map((f) => f.fact_uid),
    [5, 9],
  );
  assert.deepEqual(pageOf(sorted, 9, 10), { items: [], total: 4 });
});
