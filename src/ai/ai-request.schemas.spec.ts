import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClarityError } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import { conjureDefinitionQuerySchema, conjureDefinitionSchema } from './ai-request.schemas.js';

function message(schema: Parameters<typeof parseParams>[0], payload: unknown): string {
  try {
    parseParams(schema, payload);
  } catch (error) {
    assert.ok(error instanceof ClarityError);
    assert.equal(error.code, 'BAD_REQUEST');
    return error.message;
  }
  assert.fail('expected BAD_REQUEST');
}

describe('clarity.ai/conjure-definition parameters', () => {
  test('supertype_uid (number or digits), a trimmed name, optional stream and requestId', () => {
    assert.deepEqual(parseParams(conjureDefinitionSchema, { supertype_uid: '2001002', name: '  canned pump ' }), {
      supertype_uid: 2001002,
      name: 'canned pump',
    });
    const parsed = parseParams(conjureDefinitionSchema, {
      supertype_uid: 1,
      name: 'x',
      stream: true,
      requestId: 'r-1',
    });
    assert.equal(parsed.stream, true);
    assert.equal(parsed.requestId, 'r-1');
  });

  test('bad input names the parameter', () => {
    assert.equal(message(conjureDefinitionSchema, { name: 'x' }), "Required parameter 'supertype_uid' not provided");
    assert.equal(
      message(conjureDefinitionSchema, { supertype_uid: -4, name: 'x' }),
      "Parameter 'supertype_uid' must be a positive integer",
    );
    assert.equal(message(conjureDefinitionSchema, { supertype_uid: 1 }), "Required parameter 'name' not provided");
    assert.match(
      message(conjureDefinitionSchema, { supertype_uid: 1, name: '   ' }),
      /^Parameter 'name' must be a non-blank/,
    );
    assert.match(message(conjureDefinitionSchema, { supertype_uid: 1, name: 'x'.repeat(201) }), /at most 200/);
    assert.equal(
      message(conjureDefinitionSchema, { supertype_uid: 1, name: 'x', stream: 'yes' }),
      "Parameter 'stream' must be true or false",
    );
    assert.match(message(conjureDefinitionSchema, { supertype_uid: 1, name: 'x', requestId: 'a b' }), /requestId/);
  });

  test('the HTTP query ignores apiKey and any other parameter', () => {
    const parsed = parseParams(conjureDefinitionQuerySchema, {
      supertypeUID: '2001002',
      newKindName: 'canned pump',
      apiKey: 'sk-from-the-query',
    });
    assert.deepEqual(parsed, { supertypeUID: 2001002, newKindName: 'canned pump' });
    assert.equal(
      message(conjureDefinitionQuerySchema, { newKindName: 'x' }),
      "Required parameter 'supertypeUID' not provided",
    );
  });
});
