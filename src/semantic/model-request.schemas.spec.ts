import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClarityError } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import { batchRequestSchema, factsPageRequestSchema, MAX_BATCH, modelRequestSchema } from './model-request.schemas.js';
import {
  modelUpdateSchema,
  updateCollectionSchema,
  updateDefinitionSchema,
  updateNameSchema,
} from './model-update.schemas.js';

function message(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ClarityError && error.code === 'BAD_REQUEST', String(error));
    return error.message;
  }
  assert.fail('expected BAD_REQUEST');
}

test('model reads: {uid, includeFacts?}', () => {
  assert.deepEqual(parseParams(modelRequestSchema, { uid: '730044', includeFacts: true }), {
    uid: 730044,
    includeFacts: true,
  });
  assert.deepEqual(parseParams(modelRequestSchema, { uid: 1 }), { uid: 1 });
  assert.equal(
    message(() => parseParams(modelRequestSchema, {})),
    "Required parameter 'uid' not provided",
  );
});

test('get-batch: 1..MAX_BATCH positive integers, duplicates allowed', () => {
  assert.deepEqual(parseParams(batchRequestSchema, { uids: [3, '3', 1] }), { uids: [3, 3, 1] });
  assert.equal(
    message(() => parseParams(batchRequestSchema, {})),
    "Required parameter 'uids' not provided",
  );
  for (const bad of [[], Array.from({ length: MAX_BATCH + 1 }, () => 1), 5, '5', { 0: 1, length: 1 }]) {
    assert.equal(
      message(() => parseParams(batchRequestSchema, { uids: bad })),
      `Parameter 'uids' must be an array of 1..${MAX_BATCH} positive integers`,
    );
  }
  assert.equal(
    message(() => parseParams(batchRequestSchema, { uids: [1, 'x'] })),
    "Parameter 'uids' must contain only positive integers",
  );
});

test('model updates name the parameter that is missing or wrong', () => {
  assert.equal(
    message(() => parseParams(updateDefinitionSchema, { uid: 1, partial_definition: 'p' })),
    "Required parameter 'full_definition' not provided",
  );
  assert.equal(
    message(() => parseParams(updateNameSchema, { uid: 1, name: '' })),
    "Parameter 'name' must be 1..255 characters long",
  );
  assert.equal(
    message(() => parseParams(updateCollectionSchema, { fact_uid: 1, collection_uid: 2, collection_name: 7 })),
    "Parameter 'collection_name' must be a string",
  );
  assert.deepEqual(parseParams(updateNameSchema, { uid: '5', name: 'n', fact_uid: null }), {
    uid: 5,
    name: 'n',
    fact_uid: undefined,
  });
});

test('model/update: modelId as number or digit string, data fields checked by name, nothing to update refused', () => {
  assert.deepEqual(parseParams(modelUpdateSchema, { modelId: '730044', name: 'thing' }), {
    modelId: 730044,
    name: 'thing',
  });
  assert.deepEqual(
    parseParams(modelUpdateSchema, {
      modelId: 5,
      data: { partial_definition: 'p', collection_uid: '9', collection_name: 'c', extra: 1, full_definition: null },
    }),
    { modelId: 5, data: { partial_definition: 'p', collection_uid: 9, collection_name: 'c' } },
  );
  const cases: Array<[unknown, string]> = [
    [{ name: 'x' }, "Required parameter 'modelId' not provided"],
    [{ modelId: 'abc', name: 'x' }, "Parameter 'modelId' must be a positive integer"],
    [{ modelId: 1 }, 'Nothing to update'],
    [{ modelId: 1, data: {} }, 'Nothing to update'],
    [{ modelId: 1, data: { other: 1 } }, 'Nothing to update'],
    [{ modelId: 1, name: '' }, "Parameter 'name' must be 1..255 characters long"],
    [{ modelId: 1, data: 'text' }, "Parameter 'data' must be an object"],
    [{ modelId: 1, data: [] }, "Parameter 'data' must be an object"],
    [{ modelId: 1, data: { full_definition: 3 } }, "Parameter 'data.full_definition' must be a string"],
    [{ modelId: 1, data: { collection_uid: -2, collection_name: 'c' } }, "Parameter 'data.collection_uid' must be"],
    [{ modelId: 1, data: { collection_uid: 2 } }, 'must be given together'],
  ];
  for (const [payload, expected] of cases) {
    const text = message(() => parseParams(modelUpdateSchema, payload));
    assert.ok(text.includes(expected), `${JSON.stringify(payload)}: ${text}`);
  }
});

test('factsLimit 1..1000; facts pages {uid, limit 1..5000?, cursor?}', () => {
  assert.deepEqual(parseParams(modelRequestSchema, { uid: 1, factsLimit: '1000' }), { uid: 1, factsLimit: 1000 });
  assert.match(
    message(() => parseParams(modelRequestSchema, { uid: 1, factsLimit: 1001 })),
    /factsLimit.*between 1 and 1000/,
  );
  assert.match(
    message(() => parseParams(batchRequestSchema, { uids: [1], factsLimit: 0 })),
    /factsLimit/,
  );
  assert.deepEqual(parseParams(factsPageRequestSchema, { uid: 7, limit: 5000, cursor: 'abc' }), {
    uid: 7,
    limit: 5000,
    cursor: 'abc',
  });
  assert.equal(parseParams(factsPageRequestSchema, { uid: 7, cursor: null }).cursor, undefined);
  assert.match(
    message(() => parseParams(factsPageRequestSchema, { uid: 7, limit: 5001 })),
    /limit.*between 1 and 5000/,
  );
  assert.match(
    message(() => parseParams(factsPageRequestSchema, { uid: 7, cursor: 5 })),
    /cursor/,
  );
  assert.match(
    message(() => parseParams(factsPageRequestSchema, { uid: 7, cursor: '' })),
    /cursor/,
  );
});
