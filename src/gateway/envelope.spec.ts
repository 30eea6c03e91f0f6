import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodedSuccessEnvelope, errorEnvelope, eventEnvelope, jsonText, unwrapRequest } from './envelope.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A timestamp in milliseconds since the epoch, taken between `before` and now. */
function assertNow(timestamp: unknown, before: number): void {
  assert.equal(typeof timestamp, 'number');
  assert.ok(Number.isInteger(timestamp));
  assert.ok((timestamp as number) >= before && (timestamp as number) <= Date.now(), String(timestamp));
}

describe('response envelopes', () => {
  test('the encoded success envelope parses to the spec shape with the data unchanged', () => {
    const data = { uid: 1, name: 'pump "P-101"', list: [1, null, { a: 'ü' }], gone: undefined };
    const before = Date.now();
    const envelope = JSON.parse(encodedSuccessEnvelope(data, 'req-1').json);
    assert.deepEqual(Object.keys(envelope), ['id', 'type', 'success', 'data', 'correlationId', 'timestamp']);
    assert.equal(envelope.type, 'response');
    assert.equal(envelope.success, true);
    assert.deepEqual(envelope.data, JSON.parse(JSON.stringify(data)));
    assert.equal(envelope.correlationId, 'req-1');
    assert.match(envelope.id, UUID);
    assertNow(envelope.timestamp, before);
    assert.equal('correlationId' in JSON.parse(encodedSuccessEnvelope(data).json), false);
  });

  test('jsonText equals JSON.stringify for objects, arrays, nulls and primitives', () => {
    const shared = { uid: 7, parts: [{ uid: 8 }] };
    for (const value of [shared, [shared, null, shared], [], 'text', 42, null, true, { nested: [shared] }]) {
      assert.equal(jsonText(value), JSON.stringify(value));
    }
    assert.equal(jsonText(undefined), 'null');
  });

  test('an error envelope carries code and message, a UUID id and a numeric timestamp', () => {
    const before = Date.now();
    const e = errorEnvelope('NOT_FOUND', 'Entity with UID 5 not found', 'c');
    assert.match(e.id, UUID);
    assertNow(e.timestamp, before);
    assert.equal(e.success === false && e.error, 'Entity with UID 5 not found');
    assert.equal(e.success, false);
    assert.equal(e.success === false && e.code, 'NOT_FOUND');
    assert.equal(e.correlationId, 'c');
  });

  test('an event envelope has type event, the topic and the payload', () => {
    const before = Date.now();
    const e = eventEnvelope('clarity.model/updated', { uid: 5 });
    assert.deepEqual(Object.keys(e), ['id', 'type', 'topic', 'payload', 'timestamp']);
    assert.match(e.id, UUID);
    assert.equal(e.type, 'event');
    assert.equal(e.topic, 'clarity.model/updated');
    assert.deepEqual(e.payload, { uid: 5 });
    assertNow(e.timestamp, before);
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
