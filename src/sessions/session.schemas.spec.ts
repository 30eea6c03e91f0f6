import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClarityError } from '../common/clarity-error.js';
import { checkJsonState } from './json-state.js';
import { createSessionSchema, parseInput, updateSessionSchema, SESSION_STATE_MAX_BYTES } from './session.schemas.js';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor.js';

function badRequest(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ClarityError);
    assert.equal(error.code, 'BAD_REQUEST');
    return error.message;
  }
  assert.fail('expected BAD_REQUEST');
}

test('parseInput names the parameter, and says when it is missing', () => {
  assert.equal(
    badRequest(() => parseInput(createSessionSchema, {})),
    "Required parameter 'name' not provided",
  );
  assert.match(
    badRequest(() => parseInput(createSessionSchema, { name: 'a', state: [] })),
    /^Parameter 'state' must be a JSON object$/,
  );
  assert.match(
    badRequest(() => parseInput(updateSessionSchema, { id: 'x', version: 1 })),
    /^Parameter 'id'/,
  );
  assert.equal(
    badRequest(() => parseInput(createSessionSchema, null)),
    'Payload must be an object',
  );
  assert.deepEqual(parseInput(createSessionSchema, { name: ' n ', extra: 1 }), { name: 'n' });
});

test('any JSON object within the size limit and without forbidden keys is accepted', () => {
  const key = fc.string().filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'grapheme' }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  fc.assert(
    fc.property(fc.dictionary(key, json, { maxKeys: 5 }), (state) => {
      const copy = JSON.parse(JSON.stringify(state)) as unknown; // as it arrives from the wire
      assert.equal(checkJsonState(copy, SESSION_STATE_MAX_BYTES), undefined);
    }),
  );
});

test('forbidden keys are found at any depth', () => {
  for (const bad of ['__proto__', 'constructor', 'prototype']) {
    const state = JSON.parse(`{"a":[{"b":{"${bad}":1}}]}`) as unknown;
    assert.match(checkJsonState(state, SESSION_STATE_MAX_BYTES) ?? '', new RegExp(`'${bad}'`));
  }
});

test('list cursors round-trip; garbage is BAD_REQUEST', () => {
  const position = { updatedAtMicros: '1764400000123456', id: '0b6d3c8e-8d7f-4c1e-9a4b-2f1e0d9c8b7a' };
  assert.deepEqual(decodeSessionCursor(encodeSessionCursor(position)), position);
  assert.match(
    badRequest(() => decodeSessionCursor('bm9wZQ')),
    /Parameter 'cursor'/,
  );
});
