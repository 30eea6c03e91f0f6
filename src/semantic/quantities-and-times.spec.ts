import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoDuration, parseQuant } from './quantities-and-times.js';

test('parseQuant reads numbers and keeps other text', () => {
  assert.equal(parseQuant(' 120 '), 120);
  assert.equal(parseQuant('-1.5e3'), -1500);
  assert.equal(parseQuant('high'), 'high');
});

test('isoDuration between two date-times', () => {
  assert.equal(isoDuration('2024-03-15T08:00:00Z', '2024-03-16T16:30:05Z'), 'P1DT8H30M5S');
  assert.equal(isoDuration('2024-03-15T08:00:00Z', '2024-03-15T08:00:00Z'), 'PT0S');
  assert.equal(isoDuration('soon', '2024-03-15T08:00:00Z'), null);
  assert.equal(isoDuration('2024-03-15T09:00:00Z', '2024-03-15T08:00:00Z'), null);
});
