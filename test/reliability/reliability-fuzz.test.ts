import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { Category } from '../../src/gellish/gellish-uids.js';
import { request } from '../support/socket-client.js';
import {
  assertEnvelope,
  isAlive,
  routedEvents,
  rssBytes,
  sleep,
  socketFdCount,
  startService,
  type ReliabilityService,
} from '../support/reliability-kit.js';
import { eventually } from '../support/socket-client.js';

/**
 * Property-based fuzzing of the request handlers of a started Clarity: whatever
 * JSON arrives on whatever event, the answer is a well-formed envelope (never
 * INTERNAL), and the process neither dies nor leaks sockets or memory.
 */

/** Parameter names the handlers read, so the fuzzer reaches past "unknown shape". */
const KEYS = [
  'uid',
  'uids',
  'id',
  'name',
  'state',
  'version',
  'limit',
  'cursor',
  'includeState',
  'includeFacts',
  'fact_uid',
  'collection_uid',
  'collection_name',
  'partial_definition',
  'full_definition',
  'type',
  'payload',
  '__proto__',
  'constructor',
  'prototype',
];

const scalar = fc.oneof(
  fc.integer(),
  fc.integer({ min: 1, max: 2_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.stringMatching(/^\d{1,20}[a-z ]{0,3}$/),
  fc.uuid(),
  fc.boolean(),
  fc.constant(null),
);

/** Objects keyed by real parameter names with arbitrary JSON values (also wrapped in the platform message). */
const keyedPayload = fc
  .dictionary(fc.constantFrom(...KEYS), fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 5 })
  .chain((params) =>
    fc.oneof(
      fc.constant<unknown>(params),
      fc.record({
        id: fc.oneof(fc.string(), fc.integer()),
        type: fc.constant('request'),
        payload: fc.constant(params),
      }),
    ),
  );

const anyJsonPayload = fc
  .anything({
    maxDepth: 4,
    withBoxedValues: false,
    withMap: false,
    withSet: false,
    withDate: false,
    withTypedArray: false,
    withSparseArray: false,
    withBigInt: false,
    withNullPrototype: false,
    withObjectString: false,
  })
  .filter((value) => {
    try {
      const text = JSON.stringify(value);
      return text !== undefined && JSON.stringify(JSON.parse(text)) === text;
    } catch {
      return false;
    }
  });

describe('reliability: property-based fuzzing of the request handlers', () => {
  let service: ReliabilityService;
  let socket: Socket;
  let events: string[];
  const seen = new Map<string, number>();

  before(async () => {
    service = await startService({ WS_RATE_LIMIT: '100000' });
    socket = await service.client('fuzzer');
    events = routedEvents();
  });

  after(async () => {
    await service?.close();
  });

  async function answerIsAnEnvelope(event: string, payload: unknown): Promise<void> {
    const r = await request(socket, event, payload, 10_000);
    assertEnvelope(r, `${event} ${JSON.stringify(payload)?.slice(0, 200)}`);
    const outcome = r.success ? 'ok' : r.code!;
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    assert.notEqual(r.code, 'INTERNAL', `${event} ${JSON.stringify(payload)}: ${r.error}`);
    assert.ok(!r.code?.startsWith('ARCHIVIST'), `${event}: the Archivist is up, got ${r.code}`);
  }

  test('any JSON on any event (and unknown events) is answered with a well-formed envelope', async () => {
    const baselineSockets = socketFdCount(service.pid);
    const baselineRss = rssBytes(service.pid);
    const eventArb = fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...events) },
      { weight: 1, arbitrary: fc.string() },
    );
    await fc.assert(
      fc.asyncProperty(eventArb, anyJsonPayload, (event, payload) => answerIsAnEnvelope(event, payload)),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), keyedPayload, (event, payload) =>
        answerIsAnEnvelope(event, payload),
      ),
      { numRuns: 150 },
    );
    // Well-formed requests still work and the process is healthy.
    assert.equal((await request(socket, 'clarity.model/get', { uid: Category.ROLE })).success, true);
    assert.equal(isAlive(service.pid), true);
    assert.ok((seen.get('BAD_REQUEST') ?? 0) > 100, JSON.stringify([...seen]));
    // No descriptor leak: open sockets come back to the baseline (give the pool a moment to settle).
    await eventually(
      async () => socketFdCount(service.pid) <= baselineSockets + 5,
      15_000,
      `sockets back to ~${baselineSockets}`,
    );
    await sleep(100);
    const grown = rssBytes(service.pid) - baselineRss;
    assert.ok(grown < 300 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB during 300 fuzzed requests`);
    assert.doesNotMatch(service.clarity.output(), /Unhandled rejection|Unexpected failure/);
  });
});
