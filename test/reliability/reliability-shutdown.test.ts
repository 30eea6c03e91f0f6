import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { Category } from '../../src/gellish/gellish-uids.js';
import { startSwitchableArchivist, type SwitchableArchivist } from '../support/reliability-archivist.js';
import { databaseEnv } from '../support/clarity-process.js';
import { connect, request } from '../support/socket-client.js';
import { rawSocketIo, slowConsumer } from '../support/reliability-raw-socket.js';
import { assertEnvelope, readiness, sleep, startService, type ReliabilityService } from '../support/reliability-kit.js';

/**
 * SIGTERM during a steady workload of updates from several clients: readiness
 * turns 503 first, every acknowledged update survives (read back from a new
 * Clarity on the same database and Archivist), clients are disconnected
 * cleanly, and the process exits 0 within its bound.
 */

const SHUTDOWN_TIMEOUT_MS = 5000;
const WRITERS: Array<[string, number]> = [
  ['w-role', Category.ROLE],
  ['w-aspect', Category.ASPECT],
  ['w-occurrence', Category.OCCURRENCE],
  ['w-relation', Category.RELATION],
];

interface Writer {
  sub: string;
  uid: number;
  socket: Socket;
  acked: number[];
  disconnectReason?: string;
}

const valueOf = (sub: string, i: number): string => `${sub} value ${String(i).padStart(6, '0')}`;

describe('reliability: graceful shutdown under load', () => {
  let archivist: SwitchableArchivist;
  let db: Awaited<ReturnType<typeof databaseEnv>>;
  let first: ReliabilityService | undefined;
  let second: ReliabilityService | undefined;

  before(async () => {
    const journal = join(mkdtempSync(join(tmpdir(), 'clarity-shutdown-')), 'journal.jsonl');
    archivist = await startSwitchableArchivist({ journalFile: journal });
    db = await databaseEnv();
  });

  after(async () => {
    if (first && first.clarity.child.exitCode === null) await first.clarity.stop('SIGKILL');
    await second?.close();
    await archivist?.close();
    await db?.cleanup();
  });

  test('SIGTERM while several clients update: acknowledged updates survive, readiness 503 first, clean disconnects, exit 0', async () => {
    const env = {
      ARCHIVIST_URL: archivist.url,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      WS_RATE_LIMIT: '10000',
    };
    first = await startService(env, { db });
    const service = first;
    assert.equal(await readiness(service.clarity.url), 200);
    const writers: Writer[] = [];
    for (const [sub, uid] of WRITERS) {
      const socket = await service.client(sub);
      const writer: Writer = { sub, uid, socket, acked: [] };
      socket.once('disconnect', (reason) => (writer.disconnectReason = reason));
      writers.push(writer);
    }

    const raw = await rawSocketIo(service.clarity.url, await service.token('raw'));
    const rawClosed = raw.closeCode();

    const failures: string[] = [];
    const loops = writers.map(async (w) => {
      for (let i = 1; w.socket.connected; i++) {
        const value = valueOf(w.sub, i);
        let r;
        try {
          r = await request(
            w.socket,
            'clarity.model/update-definition',
            { uid: w.uid, partial_definition: value, full_definition: value },
            8000,
          );
        } catch {
          break; // no answer: the socket was closed with the request in flight (not acknowledged)
        }
        assertEnvelope(r, value);
        if (r.success) w.acked.push(i);
        else failures.push(`${r.code}: ${r.error}`);
      }
    });

    // Readiness is watched from before the signal until the port closes.
    const readinessSeen: Array<{ at: number; status: number }> = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        readinessSeen.push({ at: Date.now(), status: await readiness(service.clarity.url) });
        await sleep(10);
      }
    })();

    await sleep(1500);
    assert.ok(
      writers.every((w) => w.acked.length > 0),
      'every writer made progress before the signal',
    );
    // One request is in flight at the signal (its Archivist call is held back 1.5 s): the drain waits for it.
    const probeUid = 987_000_001;
    archivist.slowMs = 1500;
    archivist.slowWhen = `uid=${probeUid}`;
    const probe = await service.client('probe');
    const inFlight = request(probe, 'clarity.model/get', { uid: probeUid }, 10_000);
    await sleep(200);
    const signalledAt = Date.now();
    const stopping = service.clarity.stop('SIGTERM');
    await sleep(150);
    // While draining, new handshakes are refused (or find the port closed).
    const late = await connect(service.clarity.url, { token: await service.token('late') }).then(
      (s) => {
        s.close();
        return undefined;
      },
      (e: Error & { data?: { code?: string } }) => e,
    );
    assert.ok(late, 'a new connection during the drain is refused');
    if (late.data) assert.equal(late.data.code, 'SHUTTING_DOWN', late.message);
    const stopped = await stopping;
    const probeAnswer = await inFlight;
    assert.equal(
      probeAnswer.code,
      'NOT_FOUND',
      `the request in flight at SIGTERM was finished: ${JSON.stringify(probeAnswer)}`,
    );
    await Promise.all(loops);
    watching = false;
    await watcher;

    assert.equal(stopped.code, 0, service.clarity.output().slice(-3000));
    assert.ok(stopped.ms < SHUTDOWN_TIMEOUT_MS + 4000, `exit after ${stopped.ms} ms`);
    // A probe sent in the instant before the process handled the signal may still say 200: allow 100 ms.
    const afterSignal = readinessSeen.filter((s) => s.at >= signalledAt + 100);
    const firstAnswer = afterSignal.find((s) => s.status !== 0);
    assert.equal(
      firstAnswer?.status,
      503,
      `readiness turned 503 while draining: ${JSON.stringify(afterSignal.slice(0, 5))}`,
    );
    assert.ok(!afterSignal.some((s) => s.status === 200), 'never ready again after SIGTERM');
    assert.equal(afterSignal.at(-1)?.status, 0, 'then the port closed');
    assert.ok(
      readinessSeen.some((s) => s.at < signalledAt && s.status === 200),
      'ready before the signal',
    );
    // socket.io's server.close() ends each transport with a WebSocket close frame: clients see
    // 'transport close' (not 'io server disconnect'), which is what makes socket.io-client reconnect
    // by itself, to another replica. The raw WebSocket shows the close was a handshake, not a drop (1006).
    for (const w of writers) {
      assert.equal(w.disconnectReason, 'transport close', `${w.sub} disconnected with ${w.disconnectReason}`);
    }
    const closeCode = await rawClosed;
    archivist.slowWhen = undefined;
    assert.notEqual(closeCode, 1006, 'the WebSocket was closed with a close frame, not dropped');
    assert.deepEqual(
      failures.filter((f) => !f.startsWith('INTERNAL')),
      [],
      'no unexpected failures',
    );
    assert.doesNotMatch(service.clarity.output(), /Unhandled rejection|still in flight|Dropping/);

    // A new Clarity on the same database and Archivist sees every acknowledged update.
    second = await startService(env, { db });
    const reader = await second.client('reader');
    for (const w of writers) {
      const last = w.acked.at(-1)!;
      const model = await request(reader, 'clarity.model/get', { uid: w.uid });
      assert.equal(model.success, true, JSON.stringify(model));
      const definitions = (model.data.definitions as Array<{ partial_definition: string }>).map(
        (d) => d.partial_definition,
      );
      const mine = definitions.filter((d) => d.startsWith(`${w.sub} value`)).sort();
      assert.ok(mine.length > 0, `${w.sub}: definitions ${JSON.stringify(definitions)}`);
      // Writes of one writer are sequential: the survivor is the last acknowledged one or a later one.
      assert.ok(
        mine.at(-1)! >= valueOf(w.sub, last),
        `${w.sub}: ${mine.at(-1)} is older than the acknowledged ${valueOf(w.sub, last)}`,
      );
      const history = await request(reader, 'clarity.model/history', { uid: w.uid, limit: 500 });
      assert.equal(history.success, true);
      const logged = new Set((history.data as Array<{ newValue: unknown }>).map((h) => JSON.stringify(h.newValue)));
      for (const i of w.acked.slice(-Math.min(w.acked.length, 400))) {
        assert.ok(
          [...logged].some((l) => l.includes(valueOf(w.sub, i))),
          `${w.sub}: acknowledged update ${i} is in the change log`,
        );
      }
    }
  });

  test('a client that does not read its answers does not hold the shutdown up', async () => {
    // Its own database: the previous test's second service still holds an embedded one.
    const ownDb = await databaseEnv();
    const service = await startService(
      { ARCHIVIST_URL: archivist.url, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
      { db: ownDb },
    );
    try {
      const slow = await slowConsumer(service.clarity.url, await service.token('slow'));
      const batch = { uids: Array.from({ length: 100 }, () => Category.PHYSICAL_OBJECT), includeFacts: true };
      for (let i = 0; i < 20; i++) slow.send('clarity.model/get-batch', batch); // a few MB left unread
      const reader = await service.client('reader');
      assert.equal((await request(reader, 'clarity.model/get', { uid: Category.ROLE })).success, true);
      await sleep(500);
      const stopped = await service.clarity.stop('SIGTERM');
      slow.close();
      assert.equal(stopped.code, 0, service.clarity.output().slice(-2000));
      assert.ok(stopped.ms < SHUTDOWN_TIMEOUT_MS + 4000, `exit after ${stopped.ms} ms`);
    } finally {
      if (service.clarity.child.exitCode === null) await service.clarity.stop('SIGKILL');
      await ownDb.cleanup();
    }
  });
});
