import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { FakeArchivist, sampleFacts } from '../support/archivist-fake-server.js';
import {
  LOCAL_REDIS_URL,
  RedisChild,
  cacheConnections,
  deleteKeys,
  freePort,
  redisReachable,
  redisServerInstalled,
} from '../support/archivist-redis.js';
import { RecordingLogger, metricValue, waitFor } from '../support/archivist-test-kit.js';

const PUMP = 9000001;
const CENTRIFUGAL_PUMP = 9000002;
const P101 = 9000010;
const PUMP_SPEC_FACT = 9100001;
/** "impeller of P-101" is a part of P-101: a write of it invalidates P-101 (and not the centrifugal pump). */
const IMPELLER_PART_FACT = 9100004;
const renameImpeller = (client: ArchivistClient) =>
  client.submitName({ fact_uid: IMPELLER_PART_FACT, name: 'impeller of P-101' });

describe('ArchivistClient with Redis as the shared second-level cache', async () => {
  const reachable = await redisReachable();
  const prefix = `test:archivist-client:${randomUUID()}:`;
  let fake: FakeArchivist;
  const cleanups: Array<() => unknown> = [];

  /** A client with its own in-process cache and its own Redis connections (like a replica). */
  const replica = (metrics?: MetricsService, url = LOCAL_REDIS_URL, logger?: RecordingLogger) => {
    const connections = cacheConnections(url);
    const client = new ArchivistClient({
      baseUrl: fake.url,
      timeoutMs: 2000,
      retryAttempts: 1,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
      redis: { client: connections.client, subscriber: connections.subscriber, keyPrefix: prefix },
      metrics,
      logger,
    });
    cleanups.push(async () => {
      await client.close();
      connections.close();
    });
    return { client, connections };
  };

  before(async () => {
    fake = await new FakeArchivist(sampleFacts()).start();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await fake.stop();
    if (reachable) await deleteKeys(LOCAL_REDIS_URL, prefix);
  });

  test(
    'a second replica finds the entry in Redis without an HTTP call',
    { skip: !reachable && 'Redis on 127.0.0.1:6379 is not reachable' },
    async () => {
      fake.restore();
      const metricsB = new MetricsService();
      const a = replica();
      const b = replica(metricsB);
      await waitFor(
        () => a.connections.client.status === 'ready' && b.connections.client.status === 'ready',
        'Redis connections',
      );
      const fromA = await a.client.allRelatedFacts(CENTRIFUGAL_PUMP);
      const fromB = await b.client.allRelatedFacts(CENTRIFUGAL_PUMP);
      assert.deepEqual(fromB, fromA);
      assert.equal(fake.calls('/fact/allRelatedFacts'), 1);
      assert.equal(await metricValue(metricsB.cacheHits, { level: 'redis' }), 1);
      await b.client.allRelatedFacts(CENTRIFUGAL_PUMP);
      assert.equal(await metricValue(metricsB.cacheHits, { level: 'memory' }), 1, 'then from its own memory');
      assert.equal(await a.client.cacheStatus(), 'connected');
    },
  );

  test(
    'an update invalidates both levels here and, via pub/sub, on the other replica',
    { skip: !reachable && 'Redis on 127.0.0.1:6379 is not reachable' },
    async () => {
      fake.restore();
      const a = replica();
      const b = replica();
      await waitFor(
        () =>
          [a, b].every((r) => r.connections.client.status === 'ready' && r.connections.subscriber.status === 'ready'),
        'Redis connections',
      );
      await a.client.allRelatedFacts(PUMP);
      await b.client.allRelatedFacts(PUMP);
      await a.client.fact(PUMP_SPEC_FACT);
      assert.equal(fake.calls('/fact/allRelatedFacts'), 1, 'b read it from Redis');

      const heardByB: number[] = [];
      b.client.onInvalidate((uids) => heardByB.push(...uids));
      const updated = await a.client.submitName({ fact_uid: PUMP_SPEC_FACT, name: 'fluid pump' });
      assert.equal(updated?.lh_object_name, 'fluid pump');
      await waitFor(() => heardByB.includes(PUMP), 'the invalidation to reach the other replica');

      const seenByB = await b.client.allRelatedFacts(PUMP);
      assert.equal(seenByB.find((f) => f.fact_uid === PUMP_SPEC_FACT)?.lh_object_name, 'fluid pump');
      const seenByA = await a.client.allRelatedFacts(PUMP);
      assert.equal(seenByA.find((f) => f.fact_uid === PUMP_SPEC_FACT)?.lh_object_name, 'fluid pump');
      assert.equal(fake.calls('/fact/allRelatedFacts'), 2, 'one fresh HTTP read, then Redis again');
      assert.equal((await a.client.fact(PUMP_SPEC_FACT))?.lh_object_name, 'fluid pump');

      // A fresh replica (empty memory) does not get the old entry from Redis either.
      const c = replica();
      await waitFor(() => c.connections.client.status === 'ready', 'Redis connection');
      const seenByC = await c.client.allRelatedFacts(PUMP);
      assert.equal(seenByC.find((f) => f.fact_uid === PUMP_SPEC_FACT)?.lh_object_name, 'fluid pump');

      heardByB.length = 0;
      await renameImpeller(a.client);
      await waitFor(
        () => heardByB.includes(P101),
        "a write's invalidation of its right object to reach the other replica",
      );
    },
  );

  test(
    'Redis dying mid-run degrades to memory + HTTP, health says so, and it reconnects by itself',
    { skip: !(await redisServerInstalled()) && 'redis-server is not installed' },
    async () => {
      fake.restore();
      const redis = new RedisChild(await freePort());
      await redis.start();
      cleanups.push(() => redis.kill());
      const logger = new RecordingLogger();
      const a = replica(undefined, redis.url, logger);
      const b = replica(undefined, redis.url);
      await waitFor(
        () => a.connections.client.status === 'ready' && b.connections.client.status === 'ready',
        'Redis connections',
      );
      await a.client.definitiveFacts(CENTRIFUGAL_PUMP);
      assert.equal(await a.client.cacheStatus(), 'connected');
      let clearedB = 0;
      b.client.onInvalidateAll(() => clearedB++);

      await redis.kill();
      await waitFor(() => a.connections.client.status !== 'ready', 'the client to notice the outage');
      const reads = () => fake.calls() - fake.calls('/submission/name');
      const readsBefore = reads();
      for (let i = 0; i < 5; i++) {
        assert.ok((await a.client.definitiveFacts(CENTRIFUGAL_PUMP)).length > 0, 'served from memory');
        assert.ok((await a.client.allRelatedFacts(P101)).length > 0, 'served over HTTP');
        await renameImpeller(a.client);
      }
      assert.equal(reads() - readsBefore, 5, 'only the invalidated reads went to the Archivist');
      assert.equal(await a.client.cacheStatus(), 'unavailable');
      assert.equal(logger.count('warn', /Redis unavailable/), 1, 'one warning per outage, not per request');

      await redis.start();
      await waitFor(async () => (await a.client.cacheStatus()) === 'connected', 'the cache to reconnect', 10_000);
      await waitFor(() => b.connections.client.status === 'ready', 'the second replica to reconnect', 10_000);
      await a.client.classified(CENTRIFUGAL_PUMP);
      await b.client.classified(CENTRIFUGAL_PUMP);
      assert.equal(fake.calls('/fact/classified'), 1, 'the shared level works again');
      assert.equal(logger.count('info', /Redis available again/), 1);
      await waitFor(() => clearedB === 1, 'the other replica to drop its memory after missing invalidations');
    },
  );
});
