import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodedSuccessEnvelope, errorEnvelope, jsonText, unwrapRequest } from './envelope.js';

describe('response envelopes', () => {
  test('the encoded success envelope parses to the spec shape with the data unchanged', () => {
    const data = { uid: 1, name: 'pump "P-101"', list: [1, null, { a: 'ü' }], gone: undefined };
    const envelope = JSON.parse(encodedSuccessEnvelope(data, 'req-1').json);
    assert.deepEqual(Object.keys(envelope), ['id', 'type', 'success', 'data', 'correlationId', 'timestamp']);
    assert.equal(envelope.type, 'response');
    assert.equal(envelope.success, true);
    assert.deepEqual(envelope.data, JSON.parse(JSON.stringify(data)));
    assert.equal(envelope.correlationId, 'req-1');
    assert.ok(!Number.isNaN(Date.parse(envelope.timestamp)));
    assert.equal('correlationId' in JSON.parse(encodedSuccessEnvelope(data).json), false);
  });

  test('jsonText equals JSON.stringify for objects, arrays, nulls and primitives', () => {
    const shared = { uid: 7, parts: [{ uid: 8 }] };
    for (const value of [shared, [shared, null, shared], [], 'text', 42, null, true, { nested: [shared] }]) {
      assert.equal(jsonText(value), JSON.stringify(value));
    }
    assert.equal(jsonText(undefined), 'null');
  });

  test('an error envelope carries code and message', () => {
    const e = errorEnvelope('NOT_FOUND', 'Entity with UID 5 not found', 'c');
    assert.equal(e.success, false);
    assert.equal(e.success === false && e.code, 'NOT_FOUND');
    assert.equal(e.correlationId, 'c');
  });

  test('unwrapRequest accepts bare parameters and the platform wrapper', () => {
    assert.deepEqual(unwrapRequest({ uid: 1 }), { params: { uid: 1 } });
    assert.deepEqual(unwrapRequest({ id: 'x-1', type: 'request', payload: { uid: 2 } }), {
      params: { uid: 2 },
      correlationId: 'x-1',
    });
    assert.equal(unwrapRequest({ id: 'bad id with spaces', type: 'request', payload: {} }).correlationId, undefined);
    assert.deepEqual(unwrapRequest(undefined), { params: {} });
  });
});
