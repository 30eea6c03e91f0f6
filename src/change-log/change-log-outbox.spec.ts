import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkChangeRecord } from './change-record.js';
import { storable } from './change-log-outbox.js';

test('a change record with NULs or lone surrogates is repaired rather than lost', () => {
  const input = {
    entityUid: 1,
    factUid: 2,
    field: 'name',
    oldValue: 'pump',
    newValue: { name: 'a\u0000b', list: ['\uD800x'], ok: '😀' },
    changedBy: 'alice',
  };
  assert.throws(() => checkChangeRecord(input));
  const repaired = checkChangeRecord(storable(input));
  assert.deepEqual(repaired.newValue, { name: 'a\uFFFDb', list: ['\uFFFDx'], ok: '😀' });
});
