import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { collectStartupGarbage } from './startup-heap.js';

/** Made in a frame of its own, which is gone when the collection runs: nothing holds the object. */
function registerGarbage(registry: FinalizationRegistry<unknown>): void {
  registry.register({ big: new Array(100_000).fill('x') }, 'gone');
}

describe('collectStartupGarbage', () => {
  test('runs a full collection (unreachable objects are gone) without exposing gc to anyone else', async () => {
    let resolveCollected: (held: unknown) => void = () => undefined;
    const collected = new Promise<unknown>((resolve) => (resolveCollected = resolve));
    const registry = new FinalizationRegistry(resolveCollected); // kept alive below, so its callback runs
    registerGarbage(registry);
    const ms = collectStartupGarbage();
    assert.ok(Number.isFinite(ms) && ms >= 0);
    // Finalizers run after the collection, in a task of their own: keep the event loop turning meanwhile.
    const turning = setInterval(() => undefined, 10);
    let giveUp: NodeJS.Timeout | undefined;
    const notCollected = new Promise((resolve) => (giveUp = setTimeout(() => resolve('still there'), 5000)));
    try {
      assert.equal(await Promise.race([collected, notCollected]), 'gone');
    } finally {
      clearTimeout(giveUp);
      clearInterval(turning);
    }
    assert.ok(registry);
    assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'this context gains no gc');
    assert.equal(runInNewContext('typeof gc'), 'undefined', 'nor does a context made afterwards');
  });
});
