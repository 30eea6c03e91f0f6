import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsService } from '../metrics/metrics.service.js';
import type { RequestTracker } from './request-tracker.js';
import { categoryOf, RequestMetrics } from './request-metrics.js';

test('a request is in flight from start to finish, and its duration is observed by operation and category', () => {
  const events: string[] = [];
  const observed: Array<[string, string, number]> = [];
  const metrics = new RequestMetrics(
    {
      requestSeries: (op: string, category: string) => ({
        observe: (seconds: number) => observed.push([op, category, seconds]),
      }),
    } as unknown as MetricsService,
    {
      start: () => (events.push('start'), performance.now()),
      finish: () => events.push('finish'),
    } as unknown as RequestTracker,
  );
  const started = metrics.start();
  assert.deepEqual(events, ['start']);
  metrics.finish('clarity.model/get', 'aspect', started);
  assert.deepEqual(events, ['start', 'finish']);
  assert.equal(observed.length, 1);
  assert.deepEqual(observed[0]!.slice(0, 2), ['clarity.model/get', 'aspect']);
  assert.ok(observed[0]![2] >= 0 && observed[0]![2] < 1);
  metrics.finish('clarity.model/get', 'aspect', metrics.start());
  metrics.finish('clarity.model/get', 'role', metrics.start());
  assert.deepEqual(
    observed.map(([op, category]) => `${op} ${category}`),
    ['clarity.model/get aspect', 'clarity.model/get aspect', 'clarity.model/get role'],
  );
});

test('the real histogram counts each request once in the series of its operation and category', async () => {
  const service = new MetricsService();
  const metrics = new RequestMetrics(service, { start: () => performance.now(), finish: () => undefined } as never);
  for (const category of ['aspect', 'aspect', 'role']) metrics.finish('clarity.model/get', category, metrics.start());
  const text = await service.render();
  assert.match(text, /clarity_request_duration_seconds_count\{operation="clarity.model\/get",category="aspect"\} 2/);
  assert.match(text, /clarity_request_duration_seconds_count\{operation="clarity.model\/get",category="role"\} 1/);
});

test('the category is a result’s own category string, else none', () => {
  assert.equal(categoryOf({ uid: 1, category: 'physical object' }), 'physical object');
  for (const result of [null, undefined, 5, 'aspect', [], { category: 5 }, { uid: 1 }]) {
    assert.equal(categoryOf(result), 'none');
  }
});
