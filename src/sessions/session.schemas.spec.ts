import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClarityError } from '../common/clarity-error.js';
import { checkJsonState, serializedBytes } from './json-state.js';
import { parseParams } from '../common/request-params.js';
import {
  createSessionSchema,
  listSessionsSchema,
  sessionIdParamsSchema,
  updateSessionSchema,
  SESSION_STATE_MAX_BYTES,
} from './session.schemas.js';
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

const A_UUID = '0b6d3c8e-8d7f-4c1e-9a4b-2f1e0d9c8b7a';

test('parseParams names the parameter, and says when it is missing', () => {
  assert.equal(
    badRequest(() => parseParams(createSessionSchema, {})),
    "Required parameter 'name' not provided",
  );
  assert.equal(
    badRequest(() => parseParams(createSessionSchema, { name: 5 })),
    "Parameter 'name' must be a string",
  );
  assert.match(
    badRequest(() => parseParams(createSessionSchema, { name: 'a', state: [] })),
    /^Parameter 'state' must be a JSON object$/,
  );
  assert.match(
    badRequest(() => parseParams(updateSessionSchema, { id: 'x', version: 1 })),
    /^Parameter 'id'/,
  );
  assert.equal(
    badRequest(() => parseParams(createSessionSchema, null)),
    'Payload must be a JSON object',
  );
  assert.deepEqual(parseParams(createSessionSchema, { name: ' n ', extra: 1 }), { name: 'n' });
});

test('ids are UUIDs, answered in lower case; absent optional fields stay absent', () => {
  assert.deepEqual(parseParams(sessionIdParamsSchema, { id: A_UUID.toUpperCase() }), { id: A_UUID });
  assert.deepEqual(parseParams(updateSessionSchema, { id: A_UUID, version: 0 }), { id: A_UUID, version: 0 });
  assert.deepEqual(parseParams(listSessionsSchema, {}), {});
  assert.deepEqual(parseParams(listSessionsSchema, { limit: 100, cursor: 'c', includeState: true }), {
    limit: 100,
    cursor: 'c',
    includeState: true,
  });
});

test('every bad session input is BAD_REQUEST naming the parameter', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['bad uuid (get)', () => parseParams(sessionIdParamsSchema, { id: 'not-a-uuid' }), /Parameter 'id'/],
    ['bad uuid (update)', () => parseParams(updateSessionSchema, { id: '1234', version: 1 }), /Parameter 'id'/],
    ['bad uuid (delete)', () => parseParams(sessionIdParamsSchema, { id: "x' OR 1=1 --" }), /Parameter 'id'/],
    ['empty name', () => parseParams(createSessionSchema, { name: '' }), /Parameter 'name'/],
    ['blank name', () => parseParams(createSessionSchema, { name: '   ' }), /Parameter 'name'/],
    [
      '256-char name',
      () => parseParams(createSessionSchema, { name: 'x'.repeat(256) }),
      /Parameter 'name' must be at most 255/,
    ],
    ['missing name', () => parseParams(createSessionSchema, {}), /Required parameter 'name' not provided/],
    ['number name', () => parseParams(createSessionSchema, { name: 42 }), /Parameter 'name'/],
    ['NUL in name', () => parseParams(createSessionSchema, { name: 'a\u0000b' }), /Parameter 'name'/],
    [
      'array state',
      () => parseParams(createSessionSchema, { name: 'a', state: [1, 2] }),
      /Parameter 'state' must be a JSON object/,
    ],
    ['null state', () => parseParams(createSessionSchema, { name: 'a', state: null }), /Parameter 'state'/],
    ['string state', () => parseParams(createSessionSchema, { name: 'a', state: 'x' }), /Parameter 'state'/],
    [
      '__proto__ key',
      () =>
        parseParams(createSessionSchema, {
          name: 'a',
          state: JSON.parse('{"a":{"b":[{"__proto__":{"polluted":1}}]}}'),
        }),
      /Parameter 'state' must not contain the key '__proto__'/,
    ],
    [
      'constructor key',
      () => parseParams(createSessionSchema, { name: 'a', state: { x: { constructor: 1 } } }),
      /'constructor'/,
    ],
    [
      'prototype key',
      () => parseParams(updateSessionSchema, { id: A_UUID, state: { prototype: {} }, version: 1 }),
      /'prototype'/,
    ],
    [
      'NUL in state',
      () => parseParams(createSessionSchema, { name: 'a', state: { t: 'a\u0000' } }),
      /Parameter 'state'/,
    ],
    [
      'lone surrogate in state',
      () => parseParams(createSessionSchema, { name: 'a', state: { t: '\ud800' } }),
      /Parameter 'state'/,
    ],
    [
      'NaN in state',
      () => parseParams(createSessionSchema, { name: 'a', state: { n: Number.NaN } }),
      /Parameter 'state'/,
    ],
    [
      'deep state',
      () =>
        parseParams(createSessionSchema, {
          name: 'a',
          state: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)),
        }),
      /Parameter 'state' must not be nested/,
    ],
    ['negative version', () => parseParams(updateSessionSchema, { id: A_UUID, version: -1 }), /Parameter 'version'/],
    ['fractional version', () => parseParams(updateSessionSchema, { id: A_UUID, version: 1.5 }), /Parameter 'version'/],
    ['huge version', () => parseParams(updateSessionSchema, { id: A_UUID, version: 2 ** 40 }), /Parameter 'version'/],
    [
      'missing version',
      () => parseParams(updateSessionSchema, { id: A_UUID }),
      /Required parameter 'version' not provided/,
    ],
    ['list limit over 100', () => parseParams(listSessionsSchema, { limit: 101 }), /Parameter 'limit'/],
    ['list limit 0', () => parseParams(listSessionsSchema, { limit: 0 }), /Parameter 'limit'/],
  ];
  for (const [label, call, message] of cases) {
    assert.match(badRequest(call), message, label);
  }
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

test('the schemas check the shape of a state, not its size: that is a quota (sessions-quota.spec.ts)', () => {
  const state = { blob: 'x'.repeat(SESSION_STATE_MAX_BYTES) };
  const parsed = parseParams(createSessionSchema, { name: 'a', state });
  assert.equal(parsed.state, state);
  assert.equal(serializedBytes(state), SESSION_STATE_MAX_BYTES + '{"blob":""}'.length, 'measured while checked');
  assert.equal(
    checkJsonState({ blob: 'x'.repeat(300 * 1024) }, 256 * 1024),
    'must not be larger than 262144 bytes when serialized',
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
