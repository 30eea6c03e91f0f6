import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArchivistCache, noteResponseSize } from './archivist-cache.js';

test('the in-process level is bounded in bytes: entries weigh their noted JSON length', async () => {
  const cache = new ArchivistCache({ maxEntries: 1000, ttlSeconds: 60, maxBytes: 10_000 });
  const loads: string[] = [];
  const read = (key: string, bytes: number) =>
    cache.read(key, key, async () => {
      loads.push(key);
      return noteResponseSize([{ key }], bytes);
    });
  await read('a', 4000);
  await read('b', 4000);
  assert.ok(cache.bytes >= 8000 && cache.bytes <= 10_000, String(cache.bytes));
  await read('a', 4000); // a hit: a is now the most recently used
  await read('c', 4000); // over 10,000: b, the least recently used, goes
  assert.ok(cache.bytes <= 10_000, String(cache.bytes));
  await read('a', 4000);
  await read('b', 4000);
  assert.deepEqual(loads, ['a', 'b', 'c', 'b']);
  const huge = await read('huge', 50_000);
  assert.deepEqual(huge, [{ key: 'huge' }], 'an answer larger than the bound is answered');
  await read('huge', 50_000);
  assert.equal(loads.filter((k) => k === 'huge').length, 2, 'but not kept');
  assert.ok(cache.bytes <= 10_000);
  await cache.close();
});

test('values without a noted size weigh a small constant plus their key', async () => {
  const cache = new ArchivistCache({ maxEntries: 1000, ttlSeconds: 60, maxBytes: 1000 });
  await cache.read('/retrieveEntity/type?uid=1', '1', async () => 'kind');
  assert.equal(cache.bytes, 64 + '/retrieveEntity/type?uid=1#0'.length);
  await cache.close();
});
