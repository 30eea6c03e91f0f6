import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeoutError, withTimeout } from './with-timeout.js';

test('withTimeout passes a value through', async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 1000), 7);
});

test('withTimeout passes a rejection through', async () => {
  await assert.rejects(withTimeout(Promise.reject(new Error('boom')), 1000), /boom/);
});

test('withTimeout rejects with TimeoutError when the promise is late', async () => {
  await assert.rejects(withTimeout(new Promise(() => undefined), 20), TimeoutError);
});
