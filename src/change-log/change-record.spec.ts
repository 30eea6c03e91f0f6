import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClarityError } from '../common/clarity-error.js';
import { checkChangeRecord, type RecordChangeInput } from './change-record.js';

const valid: RecordChangeInput = {
  entityUid: 1,
  factUid: 2,
  field: 'name',
  oldValue: 'a',
  newValue: 'b',
  changedBy: 'u',
};

function badRequest(input: unknown): string {
  try {
    checkChangeRecord(input as RecordChangeInput);
  } catch (error) {
    assert.ok(error instanceof ClarityError);
    assert.equal(error.code, 'BAD_REQUEST');
    return error.message;
  }
  assert.fail('expected BAD_REQUEST');
}

test('a change record is checked before it is written, naming the field', () => {
  assert.deepEqual(checkChangeRecord(valid), valid);
  assert.equal(badRequest({ ...valid, field: '' }), "Parameter 'field' must not be empty");
  assert.equal(badRequest({ ...valid, entityUid: -1 }), "Parameter 'entityUid' must be a positive integer");
  assert.equal(badRequest({ ...valid, changedBy: undefined }), "Required parameter 'changedBy' not provided");
  assert.equal(
    badRequest({ ...valid, newValue: { n: Number.NaN } }),
    "Parameter 'newValue' must be a storable JSON value",
  );
  assert.equal(badRequest({ ...valid, oldValue: 'a\u0000' }), "Parameter 'oldValue' must be a storable JSON value");
});
