import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTtl } from './ttl.js';

describe('parseTtl', () => {
  test('seconds, minutes, hours and days', () => {
    assert.equal(parseTtl('30s'), 30);
    assert.equal(parseTtl('15m'), 15 * 60);
    assert.equal(parseTtl('1h'), 60 * 60);
    assert.equal(parseTtl('7d'), 7 * 24 * 60 * 60);
    assert.equal(parseTtl('2H'), 2 * 60 * 60);
  });
  test('a bare number is seconds', () => {
    assert.equal(parseTtl('90'), 90);
  });
  test('malformed, zero and absurd values are refused', () => {
    for (const bad of ['', 'h', '1w', '-5m', '1.5h', '1h30m', 'abc', '0s', '0', '366d']) {
      assert.throws(() => parseTtl(bad), /invalid ttl/, bad);
    }
  });
});
