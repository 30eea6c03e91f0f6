import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io';
import { ClarityError } from '../common/clarity-error.js';
import type { AppConfig } from '../config/app-config.js';
import { SubscriptionService } from './subscriptions.js';

function fakeSocket() {
  const rooms = new Set<string>();
  return {
    rooms,
    join: async (room: string) => void rooms.add(room),
    leave: async (room: string) => void rooms.delete(room),
  } as unknown as Socket & { rooms: Set<string> };
}

function setup(max: number) {
  const rejected: string[] = [];
  const asked: number[] = [];
  const service = new SubscriptionService(
    { quotas: { subscriptionsPerSocket: max } } as AppConfig,
    {
      exists: async (uid: number) => {
        asked.push(uid);
        return uid < 1000;
      },
    } as never,
    { quotaRejected: (q: string) => rejected.push(q) } as never,
  );
  return { service, rejected, asked };
}

async function code(call: Promise<unknown>): Promise<[string, string]> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ClarityError);
    return [error.code, error.message];
  }
  return ['ok', ''];
}

test('a socket holds at most WS_MAX_SUBSCRIPTIONS; the same uid twice is one; unsubscribe frees', async () => {
  const { service, rejected } = setup(3);
  const socket = fakeSocket();
  for (const uid of [1, 2, 3, 3]) assert.deepEqual(await service.subscribe(socket, uid), { uid, subscribed: true });
  assert.equal(service.count(socket), 3);
  assert.deepEqual(await code(service.subscribe(socket, 4)), [
    'QUOTA_EXCEEDED',
    'Quota exceeded: at most 3 subscriptions per socket (WS_MAX_SUBSCRIPTIONS)',
  ]);
  assert.deepEqual(rejected, ['subscriptions_per_socket']);
  assert.equal(socket.rooms.has('entity:4'), false);
  assert.deepEqual(await service.unsubscribe(socket, 2), { uid: 2, subscribed: false });
  assert.deepEqual(await code(service.subscribe(socket, 4)), ['ok', '']);
  assert.deepEqual([...socket.rooms].sort(), ['entity:1', 'entity:3', 'entity:4']);
  const other = fakeSocket();
  assert.deepEqual(await code(service.subscribe(other, 5)), ['ok', ''], 'the quota is per socket');
});

test('an unknown uid is NOT_FOUND and takes no room; concurrent subscribes cannot overshoot', async () => {
  const { service } = setup(2);
  const socket = fakeSocket();
  assert.deepEqual(await code(service.subscribe(socket, 987654)), ['NOT_FOUND', 'Entity with UID 987654 not found']);
  assert.equal(socket.rooms.size, 0);
  const results = await Promise.all([1, 2, 3, 4].map((uid) => code(service.subscribe(socket, uid))));
  assert.equal(results.filter(([c]) => c === 'ok').length, 2);
  assert.equal(results.filter(([c]) => c === 'QUOTA_EXCEEDED').length, 2);
  assert.equal(service.count(socket), 2);
});
