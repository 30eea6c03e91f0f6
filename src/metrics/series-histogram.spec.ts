import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from './series-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The same observations into prom-client's Histogram and a SeriesHistogram, each in its own registry. */
function both(observations: Array<[string, string, number]>) {
  const standard = new Registry();
  const ours = new Registry();
  const options = {
    name: 'clarity_request_duration_seconds',
    help: 'Duration of semantic operations',
    labelNames: ['operation', 'category'] as const,
    buckets: BUCKETS,
  };
  const histogram = new Histogram({ ...options, registers: [standard] });
  const series = new SeriesHistogram({ ...options, registers: [ours] });
  for (const [operation, category, seconds] of observations) {
    histogram.labels(operation, category).observe(seconds);
    series.series(operation, category).observe(seconds);
  }
  return { standard, ours, series };
}

describe('SeriesHistogram', () => {
  test('writes the exposition prom-client’s Histogram writes for the same observations', async () => {
    const observations: Array<[string, string, number]> = [];
    // Every bucket edge, values between them, above the last bound, and label values that need escaping.
    const values = [0, 0.0001, 0.0005, 0.0007, 0.001, 0.003, 0.01, 0.02, 0.3, 1, 2.5, 7, 10, 11, 1234.5];
    values.forEach((v, i) => observations.push(['clarity.model/get', i % 3 === 0 ? 'aspect' : 'physical object', v]));
    observations.push(['clarity.session/get', 'none', 0.002]);
    observations.push(['odd "event"\\name\n', 'none', 0.2]);
    const { standard, ours } = both(observations);
    assert.equal(await ours.metrics(), await standard.metrics());
  });

  test('with no observation it writes only its HELP and TYPE, like prom-client', async () => {
    const { standard, ours } = both([]);
    assert.equal(await ours.metrics(), await standard.metrics());
  });

  test('a series is made once per label values and keeps counting; reset forgets the counts', async () => {
    const { ours, series } = both([]);
    const a = series.series('op', 'aspect');
    assert.equal(series.series('op', 'aspect'), a, 'the same series object');
    a.observe(0.002);
    a.observe(0.004);
    a.observe(Number.NaN); // not a duration: ignored
    const text = await ours.metrics();
    assert.match(text, /_count\{operation="op",category="aspect"\} 2\n/);
    assert.match(text, /_sum\{operation="op",category="aspect"\} 0\.006\n/);
    assert.match(text, /_bucket\{le="0\.0025",operation="op",category="aspect"\} 1\n/);
    ours.resetMetrics();
    assert.match(await ours.metrics(), /_count\{operation="op",category="aspect"\} 0\n/);
  });

  test('the wrong number of label values is refused', () => {
    const { series } = both([]);
    assert.throws(() => series.series('only one'), /has labels operation, category, got 1 values/);
  });
});
