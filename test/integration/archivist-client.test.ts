import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import type { ArchivistClientOptions } from '../../src/archivist/archivist-client-options.js';
import { ClarityError } from '../../src/common/clarity-error.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { FakeArchivist, sampleFacts } from '../support/archivist-fake-server.js';
import { RecordingLogger, metricValue, waitFor } from '../support/archivist-test-kit.js';

const PUMP = 9000001;
const CENTRIFUGAL_PUMP = 9000002;
const P101 = 9000010;
const PUMP_SPEC_FACT = 9100001;
/** "impeller of P-101" is a part of P-101. */
const IMPELLER_PART_FACT = 9100004;

describe('ArchivistClient against a misbehaving HTTP server', () => {
  let fake: FakeArchivist;
  const clients: ArchivistClient[] = [];

  const makeClient = (overrides: Partial<ArchivistClientOptions> = {}): ArchivistClient => {
    const client = new ArchivistClient({
      baseUrl: fake.url,
      timeoutMs: 2000,
      retryAttempts: 2,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
      breaker: { consecutiveFailures: 50, halfOpenAfterMs: 200 },
      ...overrides,
    });
    clients.push(client);
    return client;
  };

  const rejectsWith = async (promise: Promise<unknown>, code: string, message?: RegExp) => {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof ClarityError, `expected a ClarityError, got ${String(err)}`);
      assert.equal(err.code, code);
      if (message) assert.match(err.message, message);
      return true;
    });
  };

  before(async () => {
    fake = await new FakeArchivist(sampleFacts()).start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    fake.restore();
    fake.resetCounts();
    if (fake.port) await fake.start().catch(() => undefined); // back up if a test stopped it
  });
  after(async () => {
    await fake.stop();
  });

  test('reads typed facts with integer uids; numeric strings from the wire are coerced', async () => {
    const client = makeClient();
    const facts = await client.allRelatedFacts(PUMP);
    const expected = sampleFacts().filter((f) => f.lh_object_uid === PUMP || f.rh_object_uid === PUMP);
    assert.deepEqual(facts, expected);

    const wire = { ...sampleFacts()[0], fact_uid: '9100001', lh_object_uid: '9000001', uom_uid: null };
    fake.failNext(1, { body: JSON.stringify([wire]) });
    const [coerced] = await client.definitiveFacts(CENTRIFUGAL_PUMP);
    assert.equal(coerced.fact_uid, 9100001);
    assert.equal(coerced.lh_object_uid, 9000001);
    assert.equal('uom_uid' in coerced, false);
    assert.ok(Object.isFrozen(coerced), 'cached results are read-only');
  });

  test('entity type and category accept a bare string or an object', async () => {
    const client = makeClient();
    assert.equal(await client.entityType(CENTRIFUGAL_PUMP), 'kind');
    assert.equal(await client.entityType(P101), 'individual');
    assert.equal(await client.entityCategory(P101), 'physical object');
    fake.failNext(1, { body: JSON.stringify({ type: 'qualification' }) });
    assert.equal(await client.entityType(PUMP), 'qualification');
  });

  test('404 and empty answers mean "not found", not an error', async () => {
    const client = makeClient();
    assert.deepEqual(await client.allRelatedFacts(123456789), []);
    assert.equal(await client.fact(123456789), null);
    assert.equal(await client.entityType(123456789), null);
    fake.failNext(1, { body: '' });
    assert.equal(await client.entityCategory(PUMP), null);
    fake.failNext(1, { body: 'null' });
    assert.deepEqual(await client.classified(CENTRIFUGAL_PUMP), []);
  });

  test('malformed JSON and wrong shapes are ARCHIVIST_ERROR naming the endpoint (detail in the log), not retried', async () => {
    const logger = new RecordingLogger();
    const metrics = new MetricsService();
    const client = makeClient({ logger, metrics });
    const cases: Array<[string, () => Promise<unknown>, string, RegExp]> = [
      ['<html>oops</html>', () => client.allRelatedFacts(PUMP), '/fact/allRelatedFacts', /malformed JSON/],
      [
        JSON.stringify([{ ...sampleFacts()[0], rh_object_uid: 'pump' }]),
        () => client.subtypesCone(PUMP),
        '/fact/subtypesCone',
        /rh_object_uid is not an integer uid/,
      ],
      [
        JSON.stringify({ unexpected: true }),
        () => client.classified(PUMP),
        '/fact/classified',
        /expected a list of facts/,
      ],
      [JSON.stringify('spaceship'), () => client.entityType(PUMP), '/retrieveEntity/type', /unknown entity type/],
      [
        JSON.stringify({ ...sampleFacts()[0], fact_uid: 1.5 }),
        () => client.fact(PUMP_SPEC_FACT),
        '/fact/fact',
        /fact_uid is not an integer uid/,
      ],
    ];
    for (const [body, read, endpoint, detail] of cases) {
      fake.always({ body });
      fake.resetCounts();
      await rejectsWith(read(), 'ARCHIVIST_ERROR', new RegExp(endpoint.replace(/\//g, '\\/')));
      assert.equal(fake.calls(endpoint), 1, `a garbage answer of ${endpoint} is not retried`);
      assert.equal(logger.count('warn', detail), 1, `the log says what was wrong with ${endpoint}`);
    }
    assert.equal(
      await metricValue(metrics.archivistBreakerState),
      0,
      'garbage answers do not open the breaker (closed)',
    );
  });

  test('4xx other than 404 is ARCHIVIST_ERROR and not retried', async () => {
    const client = makeClient();
    fake.always({ status: 400 });
    await rejectsWith(client.definitiveFacts(PUMP), 'ARCHIVIST_ERROR', /HTTP 400/);
    assert.equal(fake.calls(), 1);
  });

  test('5xx is retried with back-off and then succeeds', async () => {
    const metrics = new MetricsService();
    const client = makeClient({ metrics, retryAttempts: 3 });
    fake.failNext(2, { status: 500 });
    const facts = await client.allRelatedFacts(CENTRIFUGAL_PUMP);
    assert.ok(facts.length > 0);
    assert.equal(fake.calls('/fact/allRelatedFacts'), 3);
    const endpoint = '/fact/allRelatedFacts';
    assert.equal(await metricValue(metrics.archivistRequestsTotal, { endpoint, outcome: 'error' }), 2);
    assert.equal(await metricValue(metrics.archivistRequestsTotal, { endpoint, outcome: 'success' }), 1);
  });

  test('persistent 5xx fails after the configured retries: 500 → ARCHIVIST_ERROR, 503 → ARCHIVIST_UNAVAILABLE', async () => {
    const client = makeClient({ retryAttempts: 2 });
    fake.always({ status: 500 });
    await rejectsWith(client.allRelatedFacts(PUMP), 'ARCHIVIST_ERROR', /HTTP 500/);
    assert.equal(fake.calls(), 3, 'one call and two retries');
    fake.always({ status: 503 });
    await rejectsWith(client.definitiveFacts(PUMP), 'ARCHIVIST_UNAVAILABLE', /^Archivist service unavailable$/);
  });

  test('a slow Archivist times out per call → ARCHIVIST_UNAVAILABLE, well before the server would answer', async () => {
    const metrics = new MetricsService();
    const client = makeClient({ timeoutMs: 100, retryAttempts: 1, metrics });
    const serverDelayMs = 10_000;
    fake.always({ delayMs: serverDelayMs });
    const started = Date.now();
    await rejectsWith(client.allRelatedFacts(PUMP), 'ARCHIVIST_UNAVAILABLE');
    assert.ok(Date.now() - started < serverDelayMs, 'the deadline cut the call short');
    assert.equal(fake.calls(), 2, 'the timeout was retried once');
    assert.equal(
      await metricValue(metrics.archivistRequestsTotal, { endpoint: '/fact/allRelatedFacts', outcome: 'timeout' }),
      2,
    );
  });

  test('connection refused and reset connections → ARCHIVIST_UNAVAILABLE', async () => {
    const client = makeClient();
    fake.always({ reset: true });
    await rejectsWith(client.allRelatedFacts(PUMP), 'ARCHIVIST_UNAVAILABLE');
    assert.equal(fake.calls(), 3, 'resets are retried');
    fake.always(undefined);
    await fake.stop();
    await rejectsWith(client.definitiveFacts(PUMP), 'ARCHIVIST_UNAVAILABLE');
    assert.equal(await client.ping(), false);
    await rejectsWith(client.submitName({ fact_uid: PUMP_SPEC_FACT, name: 'x' }), 'ARCHIVIST_UNAVAILABLE');
  });

  test('the breaker opens after repeated failures, fails fast, then half-opens and closes by itself', async () => {
    const metrics = new MetricsService();
    const logger = new RecordingLogger();
    const client = makeClient({
      retryAttempts: 0,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 },
      metrics,
      logger,
    });
    fake.always({ status: 502 });
    for (let i = 0; i < 3; i++) await rejectsWith(client.allRelatedFacts(PUMP + i), 'ARCHIVIST_UNAVAILABLE');
    assert.equal(await metricValue(metrics.archivistBreakerState), 2, 'open');

    const callsWhenOpen = fake.calls();
    await rejectsWith(client.allRelatedFacts(P101), 'ARCHIVIST_UNAVAILABLE', /^Archivist service unavailable$/);
    await rejectsWith(client.submitName({ fact_uid: PUMP_SPEC_FACT, name: 'x' }), 'ARCHIVIST_UNAVAILABLE');
    assert.equal(fake.calls(), callsWhenOpen, 'no HTTP call while the breaker is open');
    assert.equal(
      await metricValue(metrics.archivistRequestsTotal, {
        endpoint: '/fact/allRelatedFacts',
        outcome: 'short_circuit',
      }),
      1,
    );

    fake.always(undefined);
    assert.equal(await client.ping(), true, 'the health ping bypasses the open breaker');
    assert.equal(await metricValue(metrics.archivistBreakerState), 2, 'still open');
    let facts: unknown[] = [];
    await waitFor(async () => {
      try {
        facts = await client.allRelatedFacts(P101);
        return true;
      } catch (err) {
        assert.equal((err as ClarityError).code, 'ARCHIVIST_UNAVAILABLE');
        return false;
      }
    }, 'the breaker to close again');
    assert.ok(facts.length > 0);
    assert.equal(await metricValue(metrics.archivistBreakerState), 0, 'closed');
    assert.equal(logger.count('warn', /breaker opened/), 1);
    assert.equal(logger.count('info', /breaker closed/), 1);
  });

  test('concurrent identical reads are collapsed into one HTTP call', async () => {
    const client = makeClient();
    fake.always({ delayMs: 100 });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => client.allRelatedFacts(CENTRIFUGAL_PUMP)),
      client.allRelatedFacts(PUMP),
      client.definitiveFacts(CENTRIFUGAL_PUMP),
    ]);
    assert.equal(fake.calls('/fact/allRelatedFacts'), 2, 'one per distinct uid');
    assert.equal(fake.calls('/fact/definitiveFacts'), 1);
    for (const r of results.slice(1, 10)) assert.equal(r, results[0], 'the callers share one result');
  });

  test('repeated reads are served from the in-process LRU', async () => {
    const metrics = new MetricsService();
    const client = makeClient({ metrics });
    const first = await client.subtypesCone(PUMP);
    const second = await client.subtypesCone(PUMP);
    assert.deepEqual(second, first);
    assert.equal(fake.calls('/fact/subtypesCone'), 1);
    assert.equal(await metricValue(metrics.cacheHits, { level: 'memory' }), 1);
    assert.equal(await metricValue(metrics.cacheMisses), 1);

    const tiny = makeClient({ cache: { maxEntries: 1 } });
    await tiny.subtypesCone(PUMP);
    await tiny.subtypesCone(CENTRIFUGAL_PUMP); // evicts the first entry
    await tiny.subtypesCone(PUMP);
    assert.equal(fake.calls('/fact/subtypesCone'), 4, 'max entries bound the LRU');
  });

  test('writes are not retried blindly and invalidate the entity', async () => {
    const client = makeClient({ retryAttempts: 3 });
    const invalidated: number[] = [];
    client.onInvalidate((uids) => invalidated.push(...uids));
    const before = await client.allRelatedFacts(PUMP);
    assert.equal(before.find((f) => f.fact_uid === PUMP_SPEC_FACT)?.lh_object_name, 'pump');

    fake.failNext(1, { status: 500 });
    await rejectsWith(client.submitName({ fact_uid: PUMP_SPEC_FACT, name: 'fluid pump' }), 'ARCHIVIST_ERROR');
    assert.equal(fake.calls('/submission/name'), 1, 'a failed write is not re-sent');

    const updated = await client.submitName({ fact_uid: PUMP_SPEC_FACT, name: 'fluid pump' });
    assert.equal(updated?.lh_object_name, 'fluid pump');
    assert.ok(invalidated.includes(PUMP), 'listeners hear about the left object');
    assert.ok(invalidated.includes(PUMP_SPEC_FACT));
    const after = await client.allRelatedFacts(PUMP);
    assert.equal(after.find((f) => f.fact_uid === PUMP_SPEC_FACT)?.lh_object_name, 'fluid pump');
    assert.equal(fake.calls('/fact/allRelatedFacts'), 2, 'the cached entry was dropped');

    const definition = await client.submitDefinition({
      fact_uid: PUMP_SPEC_FACT,
      partial_definition: 'that moves liquids.',
      full_definition: 'is a machine that moves liquids.',
    });
    assert.equal(definition?.full_definition, 'is a machine that moves liquids.');
    const collection = await client.submitCollection({
      fact_uid: PUMP_SPEC_FACT,
      collection_uid: 9200001,
      collection_name: 'test collection',
    });
    assert.equal(collection?.collection_uid, 9200001);
    assert.equal(await client.submitName({ fact_uid: 123456789, name: 'nobody' }), null);

    const cached = await client.fact(PUMP_SPEC_FACT);
    await client.submitCollection({
      fact_uid: PUMP_SPEC_FACT,
      collection_uid: 9200001,
      collection_name: 'test collection',
    });
    assert.deepEqual(await client.fact(PUMP_SPEC_FACT), cached);
    assert.equal(fake.calls('/fact/fact'), 2, 'a write (even of the same value) dropped the cached fact');
  });

  test('search passes term and exactness and is cached until an update', async () => {
    const client = makeClient();
    const loose = await client.search('pump');
    assert.deepEqual(
      loose.map((f) => f.fact_uid),
      sampleFacts()
        .filter((f) => f.lh_object_name.includes('pump'))
        .map((f) => f.fact_uid),
    );
    const exact = await client.search('pump', true);
    assert.deepEqual(
      exact.map((f) => f.lh_object_name),
      ['pump'],
    );
    await client.search('pump');
    assert.equal(fake.calls('/generalSearch/text'), 2);
    await client.submitName({ fact_uid: IMPELLER_PART_FACT, name: 'impeller of P-101' });
    await client.search('pump');
    assert.equal(fake.calls('/generalSearch/text'), 3, 'updates drop cached searches');
    await rejectsWith(client.search('  '), 'BAD_REQUEST');
    await rejectsWith(client.allRelatedFacts(-1), 'BAD_REQUEST');
  });

  test('ping answers within its own short timeout', async () => {
    const client = makeClient({ pingTimeoutMs: 100 });
    assert.equal(await client.ping(), true);
    assert.equal(await client.healthStatus(), 'available');
    fake.always({ delayMs: 5000 });
    assert.equal(await client.healthStatus(), 'unavailable');
    assert.equal(await client.cacheStatus(), 'disabled');
  });
});
