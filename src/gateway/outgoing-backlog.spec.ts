import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io';
import type { Logger } from '../logging/logging.module.js';
import { MAX_OUTGOING_BACKLOG_BYTES, OutgoingBacklogGuard, outgoingBacklogBytes } from './outgoing-backlog.js';

function fakeSocket(bufferedAmount: number, writeBuffer: Array<{ data?: unknown }> = []) {
  const state = { terminated: false };
  const socket = {
    conn: { writeBuffer, transport: { socket: { bufferedAmount, terminate: () => (state.terminated = true) } } },
  } as unknown as Socket;
  return { socket, state };
}

test('the backlog counts the WebSocket buffer and the queued packets', () => {
  const { socket } = fakeSocket(100, [{ data: 'abc' }, { data: new Uint8Array(7) }, {}]);
  assert.equal(outgoingBacklogBytes(socket), 110);
  assert.equal(outgoingBacklogBytes({ conn: {} } as unknown as Socket), 0);
});

test('a reading client is admitted; one that leaves too much unread is dropped and logged', () => {
  const warnings: unknown[][] = [];
  const guard = new OutgoingBacklogGuard({ warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger);
  const reading = fakeSocket(MAX_OUTGOING_BACKLOG_BYTES);
  assert.equal(guard.admit(reading.socket, 'alice'), true);
  assert.equal(reading.state.terminated, false);
  const slow = fakeSocket(MAX_OUTGOING_BACKLOG_BYTES + 1);
  assert.equal(guard.admit(slow.socket, 'bob'), false);
  assert.equal(slow.state.terminated, true);
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0]![0]), /slow consumer/);
  assert.deepEqual(warnings[0]![1], { context: 'Gateway', userId: 'bob' });
});
