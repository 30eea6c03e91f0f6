import { summarizeLatencies, type LatencySummary } from './latency-summary.js';
import type { BenchSocket, Envelope } from './socket-harness.js';

export interface LoadResult {
  clients: number;
  /** Measured requests (started after the warm-up, before the end). */
  requests: number;
  errors: number;
  /** Error codes (or "TIMEOUT") and how often they came. */
  errorCodes: Record<string, number>;
  seconds: number;
  /** Requests per second. */
  throughput: number;
  /** Items per second when `itemsOf` counts several per request (models of a batch). */
  itemsPerSecond?: number;
  latencyMs: LatencySummary;
  /** CPU the server process used during the measurement (when `serverCpuSeconds` was given). */
  serverCpu?: { seconds: number; utilisation: number; microsecondsPerRequest: number };
  /**
   * CPU the clients used (this process: sending, receiving and decoding the answers) during
   * the measurement. The clients share the machine's cores with the server, so a
   * scenario whose answers cost more to decode leaves the server less CPU.
   */
  clientCpu: { seconds: number; utilisation: number; microsecondsPerRequest: number };
}

export interface ClosedLoopSpec {
  durationMs: number;
  warmupMs: number;
  /** The i-th request of client c. */
  next(client: number, i: number): { event: string; payload: unknown };
  /** Items an answer carries (default 1). */
  itemsOf?(envelope: Envelope): number;
  timeoutMs?: number;
  /** CPU seconds used so far by the server process (sampled at the start and end of the measurement). */
  serverCpuSeconds?: () => number;
  /** Every measured latency is also pushed here (to summarise several runs together). */
  latencySink?: number[];
}

/**
 * Closed loop: every socket sends its next request as soon as the previous one is
 * answered. Requests started during the warm-up are not measured; the
 * measurement window is [end of warm-up, last answer of a request started before
 * the end].
 */
export async function runClosedLoop(sockets: readonly BenchSocket[], spec: ClosedLoopSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorCodes: Record<string, number> = {};
  let errors = 0;
  let items = 0;
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  let lastAnswer = measureFrom;
  let cpuAtStart = Number.NaN;
  let clientCpuAtStart = process.cpuUsage();
  const cpuTimer = setTimeout(() => {
    if (spec.serverCpuSeconds) cpuAtStart = spec.serverCpuSeconds();
    clientCpuAtStart = process.cpuUsage();
  }, spec.warmupMs);

  const loop = async (socket: BenchSocket, client: number): Promise<void> => {
    for (let i = 0; ; i++) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const { event, payload } = spec.next(client, i);
      let envelope: Envelope | undefined;
      let code: string | undefined;
      try {
        envelope = await socket.request(event, payload, spec.timeoutMs ?? 10_000);
        if (!envelope.success) code = envelope.code ?? 'UNKNOWN';
      } catch {
        code = socket.connected ? 'TIMEOUT' : 'DISCONNECTED';
      }
      const t1 = performance.now();
      if (t0 < measureFrom) continue;
      latencies.push(t1 - t0);
      spec.latencySink?.push(t1 - t0);
      lastAnswer = Math.max(lastAnswer, t1);
      if (code) {
        errors++;
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        if (code === 'DISCONNECTED') return;
      } else if (envelope) {
        items += spec.itemsOf ? spec.itemsOf(envelope) : 1;
      }
    }
  };
  await Promise.all(sockets.map((s, c) => loop(s, c)));
  clearTimeout(cpuTimer);
  const cpuAtEnd = spec.serverCpuSeconds ? spec.serverCpuSeconds() : Number.NaN;
  const clientUsage = process.cpuUsage(clientCpuAtStart);
  const seconds = Math.max(0.001, (lastAnswer - measureFrom) / 1000);
  const result: LoadResult = {
    clients: sockets.length,
    requests: latencies.length,
    errors,
    errorCodes,
    seconds: Math.round(seconds * 1000) / 1000,
    throughput: Math.round((latencies.length / seconds) * 10) / 10,
    latencyMs: summarizeLatencies(latencies),
    clientCpu: cpuShare((clientUsage.user + clientUsage.system) / 1e6, seconds, latencies.length),
  };
  if (spec.serverCpuSeconds && Number.isFinite(cpuAtStart) && Number.isFinite(cpuAtEnd)) {
    result.serverCpu = cpuShare(cpuAtEnd - cpuAtStart, seconds, latencies.length);
  }
  if (spec.itemsOf) result.itemsPerSecond = Math.round((items / seconds) * 10) / 10;
  return result;
}

/** One side of an alternating comparison: its sockets and its closed loop. */
export interface AlternatingSide {
  sockets: readonly BenchSocket[];
  spec: Omit<ClosedLoopSpec, 'durationMs' | 'warmupMs' | 'latencySink'>;
}

/**
 * Measures two servers against each other in alternating rounds (a, b, a, b, …), each
 * side `durationMs / rounds` per round after a warm-up (the whole `warmupMs` before each
 * side's first round, a tenth of it before the others): a machine whose speed drifts
 * (other work, a busy neighbour) then weighs on both alike, where two measurements one
 * after the other could each catch a different moment. Each side's result sums its rounds.
 */
export async function runAlternating(
  a: AlternatingSide,
  b: AlternatingSide,
  { durationMs, warmupMs, rounds }: { durationMs: number; warmupMs: number; rounds: number },
): Promise<{ a: LoadResult; b: LoadResult }> {
  const perRound = durationMs / rounds;
  const sides = [a, b].map((side) => ({ side, results: [] as LoadResult[], latencies: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (const entry of sides) {
      entry.results.push(
        await runClosedLoop(entry.side.sockets, {
          ...entry.side.spec,
          durationMs: perRound,
          warmupMs: round === 0 ? warmupMs : warmupMs / 10,
          latencySink: entry.latencies,
        }),
      );
    }
  }
  const [left, right] = sides.map(({ results, latencies }) => mergeRounds(results, latencies));
  return { a: left!, b: right! };
}

/** The results of several measured rounds of one side as one: totals over the rounds, latencies summarised together. */
function mergeRounds(rounds: readonly LoadResult[], latencies: readonly number[]): LoadResult {
  const sum = (f: (r: LoadResult) => number): number => rounds.reduce((total, r) => total + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const requests = sum((r) => r.requests);
  const errorCodes: Record<string, number> = {};
  for (const r of rounds)
    for (const [code, n] of Object.entries(r.errorCodes)) errorCodes[code] = (errorCodes[code] ?? 0) + n;
  const merged: LoadResult = {
    clients: rounds[0]?.clients ?? 0,
    requests,
    errors: sum((r) => r.errors),
    errorCodes,
    seconds: Math.round(seconds * 1000) / 1000,
    throughput: Math.round((requests / Math.max(0.001, seconds)) * 10) / 10,
    latencyMs: summarizeLatencies(latencies),
    clientCpu: cpuShare(
      sum((r) => r.clientCpu.seconds),
      seconds,
      requests,
    ),
  };
  if (rounds.every((r) => r.serverCpu))
    merged.serverCpu = cpuShare(
      sum((r) => r.serverCpu!.seconds),
      seconds,
      requests,
    );
  if (rounds.every((r) => r.itemsPerSecond !== undefined)) {
    merged.itemsPerSecond =
      Math.round((sum((r) => r.itemsPerSecond! * r.seconds) / Math.max(0.001, seconds)) * 10) / 10;
  }
  return merged;
}

function cpuShare(cpu: number, seconds: number, requests: number) {
  return {
    seconds: Math.round(cpu * 100) / 100,
    utilisation: Math.round((cpu / seconds) * 100) / 100,
    microsecondsPerRequest: Math.round((cpu / Math.max(1, requests)) * 1e6 * 10) / 10,
  };
}

/** Sends each payload once with at most `concurrency` in flight; answers in order, with each latency. */
export async function runOnce(
  sockets: readonly BenchSocket[],
  event: string,
  payloads: readonly unknown[],
  timeoutMs = 30_000,
): Promise<{ answers: Array<Envelope | Error>; latencies: number[]; seconds: number }> {
  const answers: Array<Envelope | Error> = new Array(payloads.length);
  const latencies: number[] = new Array(payloads.length);
  let nextIndex = 0;
  const started = performance.now();
  await Promise.all(
    sockets.map(async (socket) => {
      for (;;) {
        const i = nextIndex++;
        if (i >= payloads.length) return;
        const t0 = performance.now();
        try {
          answers[i] = await socket.request(event, payloads[i], timeoutMs);
        } catch (error) {
          answers[i] = error as Error;
        }
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { answers, latencies, seconds: (performance.now() - started) / 1000 };
}
