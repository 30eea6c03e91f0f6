import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestTracker } from './request-tracker.js';

test('idle() is immediate when nothing is in flight', async () => {
  assert.equal(await new RequestTracker().idle(1000), true);
});

test('a drain waits for the requests in flight when it began, not for those that arrive while it drains', async () => {
  const tracker = new RequestTracker();
  const a = tracker.start();
  const b = tracker.start();
  const drained = tracker.idle(5000);
  let done = false;
  void drained.then(() => (done = true));
  // Busy sockets keep sending while the process drains: those requests never hold the drain.
  const late = tracker.start();
  tracker.finish(a);
  await Promise.resolve();
  assert.equal(done, false, 'b is still in flight');
  const later = tracker.start();
  tracker.finish(b);
  assert.equal(await drained, true);
  tracker.finish(late);
  tracker.finish(later);
  assert.equal(await tracker.idle(10), true);
});

test('idle() answers false at the bound while an old request is still running', async () => {
  const tracker = new RequestTracker();
  tracker.start();
  assert.equal(await tracker.idle(20), false);
});
