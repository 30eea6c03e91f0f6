import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as parser from 'socket.io-parser';
import { PreEncodedAwareEncoder, PreEncodedJson } from './pre-encoded-parser.js';

function decode(text: string): parser.Packet {
  const decoder = new parser.Decoder();
  let packet: parser.Packet | undefined;
  decoder.on('decoded', (p: parser.Packet) => (packet = p));
  decoder.add(text);
  assert.ok(packet, 'decoded');
  return packet;
}

describe('PreEncodedAwareEncoder', () => {
  const model = {
    uid: 730044,
    name: 'physical object',
    nested: { list: [1, 'two', null, { x: 'ü "q"' }] },
    skip: undefined,
  };
  const envelope = { id: 'e1', type: 'response', success: true, data: model, timestamp: 1767225600000 };

  for (const [name, packet] of [
    ['ack', { type: parser.PacketType.ACK, nsp: '/', id: 12 }],
    ['event', { type: parser.PacketType.EVENT, nsp: '/' }],
    ['event in a namespace', { type: parser.PacketType.EVENT, nsp: '/admin', id: 3 }],
  ] as const) {
    test(`writes the same text as the standard encoder for a pre-encoded ${name}`, () => {
      const standard = new parser.Encoder().encode({ ...packet, data: ['clarity.model/get', envelope] });
      const spliced = new PreEncodedAwareEncoder().encode({
        ...packet,
        data: ['clarity.model/get', new PreEncodedJson(JSON.stringify(envelope))],
      });
      assert.deepEqual(spliced, standard);
      assert.deepEqual(decode(spliced[0] as string).data, ['clarity.model/get', JSON.parse(JSON.stringify(envelope))]);
    });
  }

  test('packets without pre-encoded values, including binary ones, go through the standard encoder', () => {
    const binary = { type: parser.PacketType.EVENT, nsp: '/', data: ['x', Buffer.from([1, 2, 3])] };
    assert.deepEqual(new PreEncodedAwareEncoder().encode(binary), new parser.Encoder().encode(binary));
    const plain = { type: parser.PacketType.ACK, nsp: '/', id: 1, data: [{ a: 1 }] };
    assert.deepEqual(new PreEncodedAwareEncoder().encode(plain), new parser.Encoder().encode(plain));
  });

  test('a pre-encoded value serialized by anyone else gives the same JSON', () => {
    assert.equal(JSON.stringify({ v: new PreEncodedJson('{"a":[1,2]}') }), '{"v":{"a":[1,2]}}');
  });
});
