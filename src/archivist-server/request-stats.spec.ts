import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestStats } from './request-stats.js';

test('RequestStats counts per path and resets', () => {
  const stats = new RequestStats();
  stats.record('/fact/fact');
  stats.record('/fact/fact');
  stats.record('/health');
  assert.equal(stats.count('/fact/fact'), 2);
  assert.deepEqual(stats.snapshot(), { total: 3, byPath: { '/fact/fact': 2, '/health': 1 } });
  stats.reset();
  assert.deepEqual(stats.snapshot(), { total: 0, byPath: {} });
});
