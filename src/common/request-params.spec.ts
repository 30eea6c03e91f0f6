import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ClarityError } from './clarity-error.js';
import {
  Invalid,
  optionalBoolean,
  optionalInt,
  optionalParam,
  optionalUid,
  parseParams,
  requiredParam,
  text,
  uid,
} from './request-params.js';

function badRequest(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ClarityError, String(error));
    assert.equal(error.code, 'BAD_REQUEST');
    return error.message;
  }
  assert.fail('expected BAD_REQUEST');
}

describe('parseParams and the shared parameter builders', () => {
  test('a payload that is not a JSON object is refused before the schema', () => {
    const schema = z.object({});
    for (const payload of [null, undefined, 42, 'x', true, [], [{}]]) {
      assert.equal(
        badRequest(() => parseParams(schema, payload)),
        'Payload must be a JSON object',
      );
    }
    assert.deepEqual(parseParams(schema, { extra: 1 }), {});
  });

  test('uid: missing, null or not a positive integer, with the messages of spec §3', () => {
    const schema = z.object({ uid: uid('uid') });
    assert.equal(
      badRequest(() => parseParams(schema, {})),
      "Required parameter 'uid' not provided",
    );
    assert.equal(
      badRequest(() => parseParams(schema, { uid: null })),
      "Required parameter 'uid' not provided",
    );
    for (const bad of [-1, 0, 1.5, 'abc', '12abc', 1e300, 2 ** 53 + 2, [], {}, true, '0x10', '-5']) {
      assert.equal(
        badRequest(() => parseParams(schema, { uid: bad })),
        "Parameter 'uid' must be a positive integer",
        String(bad),
      );
    }
    assert.deepEqual(parseParams(schema, { uid: 730044 }), { uid: 730044 });
    assert.deepEqual(parseParams(schema, { uid: ' 730044 ' }), { uid: 730044 });
  });

  test('optional parameters: absent or null reads as left out; anything else is checked', () => {
    const schema = z.object({
      fact_uid: optionalUid('fact_uid'),
      includeFacts: optionalBoolean('includeFacts'),
      limit: optionalInt('limit', 1, 500),
    });
    assert.deepEqual(parseParams(schema, {}), {});
    assert.deepEqual(parseParams(schema, { fact_uid: null, includeFacts: null, limit: null }), {
      fact_uid: undefined,
      includeFacts: undefined,
      limit: undefined,
    });
    assert.deepEqual(parseParams(schema, { fact_uid: '7', includeFacts: false, limit: '10' }), {
      fact_uid: 7,
      includeFacts: false,
      limit: 10,
    });
    assert.equal(
      badRequest(() => parseParams(schema, { fact_uid: 'x' })),
      "Parameter 'fact_uid' must be a positive integer",
    );
    assert.equal(
      badRequest(() => parseParams(schema, { includeFacts: 'yes' })),
      "Parameter 'includeFacts' must be true or false",
    );
    for (const bad of [0, 501, 2.5, 'ten', [5]]) {
      assert.equal(
        badRequest(() => parseParams(schema, { limit: bad })),
        "Parameter 'limit' must be an integer between 1 and 500",
      );
    }
  });

  test('text: required, a string, within its length in code points', () => {
    const schema = z.object({ name: text('name', { min: 1, max: 3 }) });
    assert.equal(
      badRequest(() => parseParams(schema, {})),
      "Required parameter 'name' not provided",
    );
    for (const bad of [5, ['a'], { a: 1 }, true]) {
      assert.equal(
        badRequest(() => parseParams(schema, { name: bad })),
        "Parameter 'name' must be a string",
      );
    }
    assert.equal(
      badRequest(() => parseParams(schema, { name: '' })),
      "Parameter 'name' must be 1..3 characters long",
    );
    assert.deepEqual(parseParams(schema, { name: '🚀🚀🚀' }), { name: '🚀🚀🚀' });
  });

  test('a custom check completes "Parameter \'<name>\' …"; null is checked unless it reads as absent', () => {
    const even = (value: unknown) =>
      typeof value === 'number' && value % 2 === 0 ? value : new Invalid('must be an even number');
    const schema = z.object({ a: requiredParam('a', even), b: optionalParam('b', even) });
    assert.equal(
      badRequest(() => parseParams(schema, { a: 3 })),
      "Parameter 'a' must be an even number",
    );
    assert.equal(
      badRequest(() => parseParams(schema, { a: 2, b: null })),
      "Parameter 'b' must be an even number",
    );
    assert.deepEqual(parseParams(schema, { a: 2 }), { a: 2 });
  });

  test('the first problem is the one reported', () => {
    const schema = z.object({ a: uid('a'), b: uid('b') });
    assert.equal(
      badRequest(() => parseParams(schema, { b: 'x' })),
      "Required parameter 'a' not provided",
    );
  });

  test("schemas written with zod's own types still get messages that name the parameter", () => {
    const schema = z.object({
      worded: z.string({ error: "Parameter 'worded' must be a string" }).optional(),
      plain: z.number().optional(),
      needed: z.string(),
    });
    assert.equal(
      badRequest(() => parseParams(schema, {})),
      "Required parameter 'needed' not provided",
    );
    assert.equal(
      badRequest(() => parseParams(schema, { needed: 'x', worded: 1 })),
      "Parameter 'worded' must be a string",
    );
    assert.equal(
      badRequest(() => parseParams(schema, { needed: 'x', plain: 'y' })),
      "Parameter 'plain' is invalid",
    );
  });
});
