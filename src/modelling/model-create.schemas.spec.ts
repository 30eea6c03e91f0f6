import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClarityError } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import { createModelSchema } from './model-create.schemas.js';
import { sameName } from './model-create.service.js';

test('model/create parameters: name tidied, uid strings accepted, key a UUID, collection both or neither', () => {
  const key = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
  assert.deepEqual(
    parseParams(createModelSchema, {
      name: '  end   suction pump ',
      supertype_uid: '2001002',
      full_definition: 'is a pump',
      idempotencyKey: key,
    }),
    {
      name: 'end suction pump',
      supertype_uid: 2001002,
      full_definition: 'is a pump',
      idempotencyKey: key.toLowerCase(),
    },
  );
  for (const [payload, message] of [
    [{ supertype_uid: 1, full_definition: 'x' }, "Required parameter 'name' not provided"],
    [{ name: ' ', supertype_uid: 1, full_definition: 'x' }, "Parameter 'name' must not be blank"],
    [{ name: 'x', supertype_uid: 0, full_definition: 'x' }, "Parameter 'supertype_uid' must be a positive integer"],
    [
      { name: 'x', supertype_uid: 1, full_definition: 'x', idempotencyKey: 'k' },
      "Parameter 'idempotencyKey' must be a UUID",
    ],
    [
      { name: 'x', supertype_uid: 1, full_definition: 'x', collection_name: 'c' },
      "Parameters 'collection_uid' and 'collection_name' must be given together",
    ],
  ] as const) {
    assert.throws(
      () => parseParams(createModelSchema, payload),
      (error: unknown) => error instanceof ClarityError && error.code === 'BAD_REQUEST' && error.message === message,
      JSON.stringify(payload),
    );
  }
});

test('sibling names compare case-insensitively, ignoring extra white space', () => {
  assert.ok(sameName('Centrifugal  Pump', ' centrifugal pump'));
  assert.ok(!sameName('centrifugal pump', 'centrifugal pumps'));
});
