/**
 * Soak test (not part of `npm test`): runs a mixed workload against a started
 * Clarity for a chosen time and reports memory (RSS, heap) and handle counts
 * over time, from /proc and from /metrics; growth after the warm-up must be flat.
 *
 *   npm run soak [-- --minutes 10 --clients 8 --interval 10]
 *
 * Clarity is started as a child process (dist/src/main.js) on a fresh database:
 * the real PostgreSQL when POSTGRES_HOST is exported, else an embedded one; with
 * REDIS_URL exported it uses Redis too. Exit code 0 when the verdict is FLAT.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { databaseEnv, mintToken, startClarityProcess } from '../test/support/clarity-process.js';
import { connect, request, type Envelope } from '../test/support/socket-client.js';
import { Category } from '../src/gellish/gellish-uids.js';

interface Options {
  minutes: number;
  clients: number;
  intervalSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { minutes: 10, clients: 8, intervalSeconds: 10 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--minutes') options.minutes = value;
    else if (argv[i] === '--clients') options.clients = value;
    else if (argv[i] === '--interval') options.intervalSeconds = value;
    else continue;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${argv[i]} needs a positive number`);
    i++;
  }
  return options;
}

interface Sample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
  handles: number;
  fds: number;
  openSockets: number;
  requests: number;
}

const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function procStatus(pid: number): { rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
}

async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

const ENTITIES = Object.values(Category);
const UPDATED = [Category.ROLE, Category.ASPECT];

/** One simulated user: a loop of mixed requests; reconnects now and then. */
async function user(
  url: string,
  index: number,
  stopAt: number,
  tally: Map<string, number>,
  latencies: number[],
): Promise<void> {
  const token = await mintToken(`soak-user-${index}`);
  let socket: Socket = await connect(url, { token });
  let sessionId: string | undefined;
  let version = 0;
  const call = async (event: string, payload: unknown): Promise<Envelope> => {
    const started = performance.now();
    const r = await request(socket, event, payload, 30_000);
    latencies.push(performance.now() - started);
    if (latencies.length > 20_000) latencies.splice(0, 10_000);
    const key = r.success ? 'ok' : r.code!;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    return r;
  };
  for (let i = 0; Date.now() < stopAt; i++) {
    try {
      const uid = ENTITIES[i % ENTITIES.length]!;
      switch (i % 12) {
        case 0:
        case 1:
        case 2:
          await call('clarity.model/get', { uid });
          break;
        case 3:
          await call('clarity.model/get-batch', { uids: ENTITIES.slice(0, 1 + (i % ENTITIES.length)) });
          break;
        case 4:
          await call('clarity.facts/get-by-entity', { uid });
          break;
        case 5:
          await call('clarity.model/get', { uid: 900_000_000 + ((i * 7919 + index) % 50_000) }); // unknown: NOT_FOUND, churns the cache
          break;
        case 6: {
          const target = UPDATED[index % UPDATED.length]!;
          const text = `soak ${index} ${i}`;
          await call('clarity.model/update-definition', {
            uid: target,
            partial_definition: text,
            full_definition: text,
          });
          break;
        }
        case 7:
          await call('clarity.model/history', { uid: UPDATED[index % UPDATED.length]!, limit: 20 });
          break;
        case 8:
          if (!sessionId) {
            const r = await call('clarity.session/create', { name: `soak ${index}`, state: { i } });
            sessionId = r.success ? (r.data.id as string) : undefined;
            version = r.success ? (r.data.version as number) : 0;
          } else {
            const r = await call('clarity.session/update', { id: sessionId, version, state: { i, list: [1, 2, 3] } });
            if (r.success) version = r.data.version as number;
          }
          break;
        case 9:
          await call('clarity.session/list', { limit: 10 });
          if (sessionId && i % 120 === 9) {
            await call('clarity.session/delete', { id: sessionId });
            sessionId = undefined;
          }
          break;
        case 10:
          await call('clarity.model/subscribe', { uid });
          await call('clarity.model/unsubscribe', { uid });
          break;
        case 11:
          await call('clarity.model/get', { uid: 'not-a-uid' }); // BAD_REQUEST path
          if (i % 300 === 11) {
            // connection churn: a fresh socket now and then
            socket.close();
            socket = await connect(url, { token });
          }
          break;
      }
    } catch {
      tally.set('client error', (tally.get('client error') ?? 0) + 1);
      if (!socket.connected) socket = await connect(url, { token }).catch(() => socket);
    }
    await sleep(40);
  }
  socket.close();
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function verdict(samples: Sample[], warmupSeconds: number): { flat: boolean; lines: string[] } {
  const steady = samples.filter((s) => s.atSeconds >= warmupSeconds);
  const lines: string[] = [];
  if (steady.length < 4) return { flat: false, lines: ['not enough samples after the warm-up: run longer'] };
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const first = steady.slice(0, quarter);
  const last = steady.slice(-quarter);
  const min = (xs: Sample[], k: keyof Sample) => Math.min(...xs.map((s) => s[k]));
  const med = (xs: Sample[], k: keyof Sample) =>
    quantile(
      xs.map((s) => s[k]),
      0.5,
    );
  // Compare the first and last quarter after the warm-up. Memory: minimums approximate the
  // post-GC baseline. Handles and descriptors: medians (pool connections and client churn
  // make them wander by a few; a leak makes them climb).
  const checks: Array<[string, number, number, number]> = [
    [
      'heap used (MB, min)',
      min(first, 'heapUsedMb'),
      min(last, 'heapUsedMb'),
      Math.max(10, 0.1 * min(first, 'heapUsedMb')),
    ],
    ['RSS (MB, min)', min(first, 'rssMb'), min(last, 'rssMb'), Math.max(25, 0.15 * min(first, 'rssMb'))],
    ['active handles (median)', med(first, 'handles'), med(last, 'handles'), 8],
    ['open fds (median)', med(first, 'fds'), med(last, 'fds'), 8],
  ];
  let flat = true;
  for (const [what, a, b, allowed] of checks) {
    const ok = b - a <= allowed;
    flat &&= ok;
    lines.push(
      `${ok ? 'flat   ' : 'GROWING'} ${what}: ${a.toFixed(1)} → ${b.toFixed(1)} (allowed +${allowed.toFixed(1)})`,
    );
  }
  return { flat, lines };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const durationMs = options.minutes * 60_000;
  const warmupSeconds = Math.min(120, Math.max(30, 0.2 * options.minutes * 60));
  const db = await databaseEnv();
  const env: Record<string, string> = { ...db.env, WS_RATE_LIMIT: '1000' };
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  const clarity = await startClarityProcess(env);
  const pid = clarity.child.pid!;
  process.stdout.write(
    `Soak: ${options.minutes} min, ${options.clients} clients, Clarity pid ${pid} at ${clarity.url}` +
      `${env.REDIS_URL ? ' with Redis' : ''}; warm-up ${warmupSeconds.toFixed(0)} s\n`,
  );
  const tally = new Map<string, number>();
  const latencies: number[] = [];
  const started = Date.now();
  const stopAt = started + durationMs;
  const users = Array.from({ length: options.clients }, (_, i) => user(clarity.url, i, stopAt, tally, latencies));

  const samples: Sample[] = [];
  process.stdout.write('   t(s)   RSS MB  heap MB  handles  fds  sockets  requests   p50 ms   p99 ms\n');
  while (Date.now() < stopAt) {
    await sleep(Math.min(options.intervalSeconds * 1000, Math.max(0, stopAt - Date.now())));
    const m = await metrics(clarity.url);
    const sample: Sample = {
      atSeconds: (Date.now() - started) / 1000,
      rssMb: procStatus(pid).rssMb,
      heapUsedMb: (m.get('nodejs_heap_size_used_bytes') ?? 0) / MB,
      handles: m.get('nodejs_active_handles_total') ?? 0,
      fds: readdirSync(`/proc/${pid}/fd`).length,
      openSockets: m.get('clarity_websocket_connections_open') ?? 0,
      requests: [...tally.values()].reduce((a, b) => a + b, 0),
    };
    samples.push(sample);
    process.stdout.write(
      `${sample.atSeconds.toFixed(0).padStart(7)} ${sample.rssMb.toFixed(1).padStart(8)} ${sample.heapUsedMb.toFixed(1).padStart(8)} ` +
        `${String(sample.handles).padStart(8)} ${String(sample.fds).padStart(4)} ${String(sample.openSockets).padStart(8)} ` +
        `${String(sample.requests).padStart(9)} ${quantile(latencies, 0.5).toFixed(1).padStart(8)} ${quantile(latencies, 0.99).toFixed(1).padStart(8)}\n`,
    );
  }
  await Promise.all(users);
  const promRss = ((await metrics(clarity.url)).get('process_resident_memory_bytes') ?? 0) / MB;
  const stopped = await clarity.stop();
  await db.cleanup();

  const result = verdict(samples, warmupSeconds);
  const internal = tally.get('INTERNAL') ?? 0;
  process.stdout.write(`\nOutcomes: ${JSON.stringify(Object.fromEntries(tally))}\n`);
  process.stdout.write(
    `process_resident_memory_bytes at the end: ${promRss.toFixed(1)} MB; Clarity exit code ${stopped.code}\n`,
  );
  for (const line of result.lines) process.stdout.write(`${line}\n`);
  const ok = result.flat && internal === 0 && stopped.code === 0;
  process.stdout.write(
    `Verdict: ${ok ? 'FLAT' : 'NOT FLAT'}${internal ? ` (${internal} INTERNAL errors)` : ''}${stopped.code !== 0 ? ' (bad exit code)' : ''}\n`,
  );
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`Soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
