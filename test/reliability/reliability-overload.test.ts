import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { Category } from '../../src/gellish/gellish-uids.js';
import { connect, eventually, metricValue, request, type Envelope } from '../support/socket-client.js';
import { median, rssBytes, sleep, startService, type ReliabilityService } from '../support/reliability-kit.js';
import { slowConsumer } from '../support/reliability-raw-socket.js';

/**
 * Overload: a flooding client is rate limited while a well-behaved one keeps
 * its latency; a connection storm beyond the cap is refused without touching
 * connected clients; a client that stops reading cannot make the server's
 * memory grow without bound.
 */

const RATE = 50;
const CAP = 30;

async function latencies(socket: Socket, n: number, gapMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const r = await request(socket, 'clarity.model/get', { uid: Category.ROLE });
    out.push(performance.now() - started);
    assert.equal(r.success, true, `well-behaved request refused: ${JSON.stringify(r)}`);
    await sleep(gapMs);
  }
  return out;
}

describe('reliability: overload', () => {
  let service: ReliabilityService;

  before(async () => {
    service = await startService({
      WS_RATE_LIMIT: String(RATE),
      WS_MAX_CONNECTIONS: String(CAP),
      // The storm comes from one user's token; the per-user quota is tested in quotas.test.ts.
      WS_MAX_CONNECTIONS_PER_USER: String(CAP),
    });
  });

  after(async () => {
    await service?.close();
  });

  test('a flooding client gets RATE_LIMITED; a well-behaved client keeps its latency', async () => {
    const good = await service.client('good');
    const flooder = await service.client('flooder');
    await latencies(good, 5, 20); // warm-up
    const quiet = median(await latencies(good, 30, 40));

    let stop = false;
    const counts = new Map<string, number>();
    const flood = (async () => {
      while (!stop) {
        const burst = await Promise.all(
          Array.from({ length: 200 }, () =>
            request(flooder, 'clarity.model/get', { uid: Category.PHYSICAL_OBJECT, includeFacts: true }).catch(
              () => ({ code: 'NO_ANSWER' }) as Envelope,
            ),
          ),
        );
        for (const r of burst) counts.set(r.code ?? 'OK', (counts.get(r.code ?? 'OK') ?? 0) + 1);
      }
    })();
    await sleep(300);
    const loaded = median(await latencies(good, 30, 40));
    stop = true;
    await flood;

    assert.ok((counts.get('RATE_LIMITED') ?? 0) > 100, `flooder outcomes ${JSON.stringify([...counts])}`);
    assert.ok((counts.get('OK') ?? 0) > 0, 'the flooder is still served at its rate');
    assert.equal(counts.get('NO_ANSWER'), undefined, 'every flood request was answered');
    assert.equal(flooder.connected, true, 'rate limiting does not disconnect');
    const bound = 10 * quiet + 50;
    assert.ok(
      loaded < bound,
      `well-behaved p50 ${loaded.toFixed(1)} ms under flood vs ${quiet.toFixed(1)} ms quiet (bound ${bound.toFixed(0)})`,
    );
  });

  test('a connection storm beyond the cap is refused without affecting connected clients', async () => {
    await eventually(
      async () => (await metricValue(service.clarity.url, 'clarity_websocket_connections_open')) === 2,
      10_000,
      'baseline',
    );
    const residents = await Promise.all(Array.from({ length: 3 }, (_, i) => service.client(`resident-${i}`)));
    let residentDisconnects = 0;
    for (const r of residents) r.on('disconnect', () => (residentDisconnects += 1));
    const token = await service.token('storm');
    let stop = false;
    const residentLoop = (async () => {
      let served = 0;
      while (!stop) {
        for (const r of residents) {
          const answer = await request(r, 'clarity.model/get', { uid: Category.ASPECT });
          assert.equal(answer.success, true, JSON.stringify(answer));
          served += 1;
        }
      }
      return served;
    })();
    const attempts = await Promise.allSettled(
      Array.from({ length: 150 }, () => connect(service.clarity.url, { token })),
    );
    const accepted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const codes = attempts.flatMap((a) =>
      a.status === 'rejected' ? [(a.reason as { data?: { code?: string } }).data?.code] : [],
    );
    assert.equal(accepted.length, CAP - 5, 'exactly the free slots were granted');
    assert.ok(
      codes.every((c) => c === 'CAPACITY'),
      JSON.stringify(codes.slice(0, 3)),
    );
    for (const s of accepted) s.close();
    stop = true;
    assert.ok((await residentLoop) > 0);
    assert.equal(residentDisconnects, 0, 'connected clients were not disturbed');
    await eventually(
      async () => (await metricValue(service.clarity.url, 'clarity_websocket_connections_open')) === 5,
      10_000,
      'count back to 5',
    );
    for (const r of residents) r.close();
  });

  test('a client that stops reading cannot grow server memory without bound', async (t) => {
    // A batch is charged its size (spec §3 "Quotas"): at RATE a socket gets half a batch of 100 a second, far
    // too little to fill a backlog. This client pays for its batches: a process of its own with room for
    // RATE batches of 100 per second, so the answers pile up as fast as before and the back-pressure bound
    // is what stops them.
    const service = await startService({ WS_RATE_LIMIT: String(RATE * 100) });
    t.after(() => service.close());
    const good = await service.client('good-neighbour');
    const openBefore = (await metricValue(service.clarity.url, 'clarity_websocket_connections_open')) ?? 0;
    const baseline = rssBytes(service.pid);
    const slow = await slowConsumer(service.clarity.url, await service.token('slow'));
    // Each request asks for 100 full models: a small frame in, a large answer out.
    const batch = { uids: Array.from({ length: 100 }, () => Category.PHYSICAL_OBJECT), includeFacts: true };
    const started = Date.now();
    let sent = 0;
    let peak = baseline;
    while (Date.now() - started < 8000 && slow.open) {
      for (let i = 0; i < RATE / 10 && slow.send('clarity.model/get-batch', batch); i++) sent += 1;
      peak = Math.max(peak, rssBytes(service.pid));
      await sleep(100);
    }
    const grown = peak - baseline;
    t.diagnostic(
      `slow consumer: RSS +${Math.round(grown / 1048576)} MB after ${sent} requests, still open: ${slow.open}`,
    );
    // Without a bound this grew by ~140 MB in 8 s (400 answers of 100 models) and kept growing.
    assert.ok(grown < 110 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1048576)} MB (${sent} requests sent)`);
    await eventually(
      async () => (await metricValue(service.clarity.url, 'clarity_websocket_connections_open')) === openBefore,
      15_000,
      'the slow consumer was disconnected',
    );
    const r = await request(good, 'clarity.model/get', { uid: Category.ROLE });
    assert.equal(r.success, true, 'the neighbour is served');
    slow.close();
  });
});
