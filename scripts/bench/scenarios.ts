import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ArchivistServer } from '../../src/archivist-server/index.js';
import type { BenchOptions } from './bench-options.js';
import { sleep, startProcess } from '../support/child-process.js';
import { launchClarity, type ClarityChild } from '../support/clarity-launcher.js';
import { cpuSeconds, openFileLimit, residentKb } from './process-stats.js';
import { runAlternating, runClosedLoop, runOnce, type AlternatingSide, type LoadResult } from './closed-loop.js';
import { summarizeLatencies, type LatencySummary } from './latency-summary.js';
import { connectMany, type BenchSocket, type Envelope } from './socket-harness.js';
import { deleteCacheKeys, probeRedis } from './bench-environment.js';
import { summarizeCpuProfile, type FunctionCost } from './cpu-profile-summary.js';

/** What every scenario needs. */
export interface BenchContext {
  options: BenchOptions;
  /** dist/src/main.js of this build. */
  mainJs: string;
  /** dist/scripts/bench of this build (child entries). */
  benchDir: string;
  /** Environment of every Clarity process (database, JWT, Archivist URL, logging). */
  clarityEnv: Record<string, string>;
  token: string;
  archivist: ArchivistServer;
  warmUids: number[];
  coldUids: number[];
  /** The uid requested first in the cold process to load the relation-type hierarchy. */
  hierarchyUid: number;
  resultsDir: string;
  /**
   * CPUs of the servers under test (Clarity, the bare server) and of the clients (this
   * process and the socket fleet), when the benchmark pins them (see pinning in bench.ts).
   */
  cpus?: { server: number; clients: number };
  log(message: string): void;
}

export interface SkippedScenario {
  status: 'skipped';
  reason: string;
}

export interface FailedScenario {
  status: 'failed';
  reason: string;
}

export type LoadScenario = { status: 'ok' } & LoadResult & Record<string, unknown>;

export interface ColdScenario {
  status: 'ok';
  models: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Models per second with one client, each uid once. */
  throughput: number;
  latencyMs: LatencySummary;
  counting: string;
  /** The first model of the fresh process (it loads the relation-type hierarchy). */
  firstModel: { uid: number; archivistCalls: number; byPath: Record<string, number> };
  /** The measured models, after the hierarchy was loaded. */
  archivistCalls: number;
  callsPerModel: number;
  /** Including the first model: (first + measured) / (models + 1). */
  callsPerModelIncludingHierarchy: number;
  byPath: Record<string, number>;
  factCallsPerModel: number;
  perModel: { max: number; p50: number; p95: number; mostCalls: Array<{ uid: number; calls: number }> };
  /** The same uids requested again by the same client (now cached): the latency a cold model is compared with. */
  warmAgain: { latencyMs: LatencySummary; archivistCalls: number };
}

export interface ConnectionScenario {
  status: 'ok';
  sockets: number;
  opened: number;
  failures: Record<string, number>;
  handshakeSeconds: number;
  handshakesPerSecond: number;
  holdSeconds: number;
  pingIntervalMs: number;
  stillConnected: number;
  unexpectedDisconnects: number;
  pingsPerSocket: number;
  rssBaselineKb: number;
  rssOpenKb: number;
  rssAfterHoldKb: number;
  rssPerSocketKb: number;
  extraSocket: { refused: boolean; code: string | null; message: string };
  openFileLimit: { clarity: number; fleet: number };
  errors: number;
}

export type Outcome<T> = T | SkippedScenario | FailedScenario;

/** A Clarity child of the benchmark, with its open-file limit and resident memory. */
export interface ClarityInstance extends ClarityChild {
  openFileLimit: number;
  rssKb(): number;
}

/**
 * Starts Clarity as the benchmark runs it: on loopback with the open-file limit raised,
 * done once GET /health/ready answers 200 (with LOG_LEVEL=warn there is no "listening"
 * line); with `cpuProfileDir` it writes a CPU profile there when it exits.
 */
async function startClarity(
  ctx: BenchContext,
  env: Record<string, string>,
  cpuProfileDir?: string,
): Promise<ClarityInstance> {
  const clarity = await launchClarity({
    env: { ...env, RELICA_CLARITY_API_HOST: '127.0.0.1' },
    mainJs: ctx.mainJs,
    nodeArgs: cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
    raiseOpenFileLimit: true,
    waitFor: 'ready',
    readyTimeoutMs: 120_000,
    outputLimit: 200_000,
    label: 'Clarity',
    cpu: ctx.cpus?.server,
  });
  return Object.assign(clarity, { openFileLimit: openFileLimit(clarity.pid), rssKb: () => residentKb(clarity.pid) });
}

const MODEL_GET = 'clarity.model/get';
const MODEL_BATCH = 'clarity.model/get-batch';

function closeAll(sockets: readonly BenchSocket[]): void {
  for (const s of sockets) s.close();
}

function errorCount(answers: ReadonlyArray<Envelope | Error>): { errors: number; errorCodes: Record<string, number> } {
  const errorCodes: Record<string, number> = {};
  let errors = 0;
  for (const a of answers) {
    const code = a instanceof Error ? 'TIMEOUT' : a.success ? undefined : (a.code ?? 'UNKNOWN');
    if (code) {
      errors++;
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }
  }
  return { errors, errorCodes };
}

function loadSpec(ctx: BenchContext) {
  return { durationMs: ctx.options.durationSeconds * 1000, warmupMs: ctx.options.warmupSeconds * 1000 };
}

/** Round-robin over the warm uids, clients starting at different offsets. */
function warmRequest(ctx: BenchContext) {
  const uids = ctx.warmUids;
  const stride = Math.max(1, Math.floor(uids.length / ctx.options.clients));
  return (client: number, i: number) => ({
    event: MODEL_GET,
    payload: { uid: uids[(client * stride + i) % uids.length] },
  });
}

/** What the bare server answers: a small envelope, one padded to a size, or Clarity's own warm answers. */
export type BareAnswers = { kind: 'small' } | { kind: 'padded'; paddingBytes: number } | { kind: 'same'; file: string };

/**
 * 1, 1b, 1c. The ceiling: a bare Socket.IO server acking every event (scripts/bench/bare-server.ts).
 * 1: a small envelope. 1b: exactly the answers Clarity gave in the warm scenario (the
 * same bytes for the same request; the transport's share of a warm request, clients'
 * decoding included). 1c: a small envelope padded with one string to the size of an
 * average answer (cheaper for the clients to decode than a model).
 */
export async function bareServerScenario(
  ctx: BenchContext,
  answers: BareAnswers = { kind: 'small' },
): Promise<LoadScenario> {
  const bare = await startBareServer(ctx, answers);
  try {
    const result = await runClosedLoop(bare.sockets, {
      ...loadSpec(ctx),
      next: warmRequest(ctx),
      serverCpuSeconds: () => cpuSeconds(bare.pid),
    });
    return { status: 'ok', ...result, ...bare.notes };
  } finally {
    await bare.stop();
  }
}

/** A bare server process with the scenario's clients connected to it (and, for 1b, its answers checked). */
async function startBareServer(
  ctx: BenchContext,
  answers: BareAnswers,
): Promise<{ pid: number; sockets: BenchSocket[]; notes: Record<string, unknown>; stop(): Promise<void> }> {
  // With --profile, the same-answers bare server is profiled too: the warm Clarity's profile minus this one is
  // what Clarity adds per request.
  const profileDir =
    ctx.options.profile && answers.kind === 'same'
      ? join(ctx.resultsDir, 'profiles', `bare-same-${Date.now()}`)
      : undefined;
  const args =
    answers.kind === 'padded'
      ? ['--padding', String(answers.paddingBytes)]
      : answers.kind === 'same'
        ? ['--answers', answers.file]
        : [];
  const bare = startProcess(
    'bare server',
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      join(ctx.benchDir, 'bare-server.js'),
      ...args,
    ],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
      raiseOpenFileLimit: true,
      outputLimit: 200_000,
      cpu: ctx.cpus?.server,
    },
  );
  const { child, output } = bare;
  let sockets: BenchSocket[] = [];
  const stop = async (): Promise<void> => {
    closeAll(sockets);
    await bare.stop();
    if (profileDir) ctx.log(`  CPU profile of the same-answers bare server in ${profileDir}`);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bare server did not start: ${output()}`)), 15_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`bare server exited ${code}: ${output()}`)));
    });
    sockets = await connectMany(`http://127.0.0.1:${port}`, undefined, ctx.options.clients);
    if (answers.kind === 'same') await checkSameAnswers(ctx, sockets[0]!, answers.file);
  } catch (error) {
    await stop();
    throw error;
  }
  const notes =
    answers.kind === 'padded'
      ? { paddingBytes: answers.paddingBytes }
      : answers.kind === 'same'
        ? { sameAnswersAs: 'warm model/get' }
        : {};
  return { pid: child.pid!, sockets, notes, stop };
}

/**
 * Scenario 1b compares like with like only if the bare server sends what Clarity sent:
 * asks it for a few warm uids and refuses to measure unless each answer's `data` is
 * byte for byte Clarity's.
 */
async function checkSameAnswers(ctx: BenchContext, socket: BenchSocket, file: string): Promise<void> {
  const texts = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const uids = ctx.warmUids.filter((uid) => texts[String(uid)] !== undefined).slice(0, 5);
  if (uids.length === 0) throw new Error('no warm answers to compare with');
  for (const uid of uids) {
    const envelope = await socket.request(MODEL_GET, { uid }, 10_000);
    if (JSON.stringify(envelope.data) !== texts[String(uid)]) {
      throw new Error(`the bare server's answer for uid ${uid} is not the one Clarity gave`);
    }
  }
}

/** Requests every warm uid once; also measures the answers' JSON size (what every warm request carries back). */
async function primeModels(
  ctx: BenchContext,
  sockets: readonly BenchSocket[],
): Promise<{
  errors: number;
  errorCodes: Record<string, number>;
  seconds: number;
  responseBytes: { mean: number; max: number };
  responseBytesWithoutFacts: { mean: number; max: number };
  /** The JSON text of each successful answer's `data`, by uid (for scenario 1b; not part of the results). */
  answerTexts: Record<string, string>;
}> {
  const { answers, seconds } = await runOnce(
    sockets,
    MODEL_GET,
    ctx.warmUids.map((uid) => ({ uid })),
  );
  const meanSize = (list: ReadonlyArray<Envelope | Error>): { mean: number; max: number } => {
    const sizes = list.filter((a) => !(a instanceof Error)).map((a) => Buffer.byteLength(JSON.stringify(a)));
    return {
      mean: sizes.length ? Math.round(sizes.reduce((x, y) => x + y, 0) / sizes.length) : 0,
      max: sizes.length ? Math.max(...sizes) : 0,
    };
  };
  const withoutFacts = await runOnce(
    sockets,
    MODEL_GET,
    ctx.warmUids.map((uid) => ({ uid, includeFacts: false })),
  );
  return {
    ...errorCount(answers),
    seconds: Math.round(seconds * 1000) / 1000,
    responseBytes: meanSize(answers),
    responseBytesWithoutFacts: meanSize(withoutFacts.answers),
    answerTexts: Object.fromEntries(
      ctx.warmUids.flatMap((uid, i) => {
        const answer = answers[i];
        return answer && !(answer instanceof Error) && answer.success
          ? [[String(uid), JSON.stringify(answer.data)]]
          : [];
      }),
    ),
  };
}

function latestCpuProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  return files.length ? join(dir, files[files.length - 1]!) : undefined;
}

async function batchLoop(ctx: BenchContext, sockets: readonly BenchSocket[], pid: number): Promise<LoadScenario> {
  const uids = ctx.warmUids;
  const size = ctx.options.batchSize;
  const result = await runClosedLoop(sockets, {
    ...loadSpec(ctx),
    next: (client, i) => {
      const from = ((client * 7 + i) * size) % uids.length;
      const list = Array.from({ length: size }, (_, k) => uids[(from + k) % uids.length]);
      return { event: MODEL_BATCH, payload: { uids: list } };
    },
    itemsOf: (envelope) => (Array.isArray(envelope.data) ? envelope.data.filter((m) => m !== null).length : 0),
    timeoutMs: 30_000,
    serverCpuSeconds: () => cpuSeconds(pid),
  });
  ctx.log(`  batch: ${result.itemsPerSecond} models/s, p99 ${result.latencyMs.p99} ms`);
  return { status: 'ok', ...result, uidsPerRequest: size, modelsPerSecond: result.itemsPerSecond ?? 0 };
}

/**
 * 2 + 1b + 4. Warm clarity.model/get (every uid primed first) measured against the bare
 * server sending the same answers (1b) in alternating rounds (runAlternating: the
 * comparison of the two is the target, and the machine's drift weighs on both alike),
 * then clarity.model/get-batch on the same warm process. With --profile the warm process
 * runs under --cpu-prof and stops after the warm scenario (so the profile holds only it);
 * the batch scenario then gets a fresh, primed process.
 */
export async function warmScenarios(ctx: BenchContext): Promise<{
  warm: LoadScenario;
  /** 1b, measured in rounds alternating with `warm`. */
  bareSame: Outcome<LoadScenario>;
  batch: LoadScenario;
  profile?: { file: string; totalMs: number; top: FunctionCost[] };
}> {
  const profileDir = ctx.options.profile ? join(ctx.resultsDir, 'profiles', `warm-${Date.now()}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  let clarity = await startClarity(ctx, ctx.clarityEnv, profileDir);
  let warm: LoadScenario;
  let bareSame: Outcome<LoadScenario>;
  let batch: LoadScenario;
  try {
    let sockets = await connectMany(clarity.url, ctx.token, ctx.options.clients);
    try {
      const { answerTexts, ...priming } = await primeModels(ctx, sockets);
      ctx.log(
        `  primed ${ctx.warmUids.length} models in ${priming.seconds} s (${priming.errors} errors, ` +
          `${priming.responseBytes.mean} bytes per answer on average, ${priming.responseBytesWithoutFacts.mean} with includeFacts:false)`,
      );
      const warmSide: AlternatingSide = {
        sockets,
        spec: { next: warmRequest(ctx), serverCpuSeconds: () => cpuSeconds(clarity.pid) },
      };
      const bare = Object.keys(answerTexts).length ? await startSameAnswersBare(ctx, answerTexts) : undefined;
      let result: LoadResult;
      if (bare) {
        try {
          const rounds = ctx.options.mode === 'smoke' ? 1 : ALTERNATING_ROUNDS;
          ctx.log(`  warm model/get and 1b (bare, same answers) in ${rounds} alternating rounds each`);
          const both = await runAlternating(
            warmSide,
            { sockets: bare.sockets, spec: { next: warmRequest(ctx), serverCpuSeconds: () => cpuSeconds(bare.pid) } },
            { ...loadSpec(ctx), rounds },
          );
          result = both.a;
          bareSame = { status: 'ok', ...both.b, ...bare.notes, rounds };
          ctx.log(`  1b bare, same answers: ${both.b.throughput} req/s, p99 ${both.b.latencyMs.p99} ms`);
        } finally {
          await bare.stop();
        }
      } else {
        bareSame = { status: 'skipped', reason: 'no warm answers to send' };
        result = await runClosedLoop(sockets, { ...loadSpec(ctx), ...warmSide.spec });
      }
      warm = { status: 'ok', ...result, distinctUids: ctx.warmUids.length, priming, rssKb: clarity.rssKb() };
      ctx.log(`  warm: ${result.throughput} req/s, p99 ${result.latencyMs.p99} ms, ${result.errors} errors`);
      if (profileDir) {
        closeAll(sockets);
        await clarity.stop();
        clarity = await startClarity(ctx, ctx.clarityEnv);
        sockets = await connectMany(clarity.url, ctx.token, ctx.options.clients);
        await primeModels(ctx, sockets);
      }
      batch = await batchLoop(ctx, sockets, clarity.pid);
    } finally {
      closeAll(sockets);
    }
  } finally {
    await clarity.stop();
  }
  if (!profileDir) return { warm, bareSame, batch };
  const file = latestCpuProfile(profileDir);
  if (!file) return { warm, bareSame, batch };
  const summary = summarizeCpuProfile(file, 25);
  return { warm, bareSame, batch, profile: { file, totalMs: summary.totalMs, top: summary.functions } };
}

/** Rounds of the warm / 1b comparison (each side gets duration / rounds per round). */
const ALTERNATING_ROUNDS = 4;

/** The 1b bare server, handed the warm answers through a file that is gone once it has read them. */
async function startSameAnswersBare(ctx: BenchContext, answerTexts: Record<string, string>) {
  mkdirSync(ctx.resultsDir, { recursive: true });
  const file = join(ctx.resultsDir, `bare-answers-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(answerTexts));
  try {
    return await startBareServer(ctx, { kind: 'same', file });
  } finally {
    rmSync(file, { force: true });
  }
}

/** Archivist paths that are Clarity's model reads (everything but /health; /stats is never counted). */
function modelCalls(byPath: Record<string, number>): number {
  return Object.entries(byPath)
    .filter(([path]) => path !== '/health')
    .reduce((sum, [, n]) => sum + n, 0);
}

function factCalls(byPath: Record<string, number>): number {
  return Object.entries(byPath)
    .filter(([path]) => path.startsWith('/fact/'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** 3. Cold clarity.model/get in a fresh process, Archivist calls per model counted at the Archivist. */
export async function coldScenario(ctx: BenchContext): Promise<ColdScenario> {
  const env = { ...ctx.clarityEnv };
  const clarity = await startClarity(ctx, env);
  const stats = ctx.archivist.stats;
  try {
    // Readiness polling (which pings the Archivist) has stopped: from here on the
    // Archivist only sees Clarity's model reads.
    const [socket] = await connectMany(clarity.url, ctx.token, 1);
    try {
      stats.reset();
      const first = await runOnce([socket!], MODEL_GET, [{ uid: ctx.hierarchyUid }]);
      const firstSnapshot = stats.snapshot();
      const firstErrors = errorCount(first.answers);
      if (firstErrors.errors > 0)
        ctx.log(`  first (hierarchy) model ${ctx.hierarchyUid} failed: ${JSON.stringify(firstErrors.errorCodes)}`);
      stats.reset();

      const answers: Array<Envelope | Error> = [];
      const latencies: number[] = [];
      const perModel: Array<{ uid: number; calls: number }> = [];
      const started = performance.now();
      for (const uid of ctx.coldUids) {
        const before = stats.snapshot().total;
        const one = await runOnce([socket!], MODEL_GET, [{ uid }]);
        answers.push(one.answers[0]!);
        latencies.push(one.latencies[0]!);
        perModel.push({ uid, calls: stats.snapshot().total - before });
      }
      const seconds = (performance.now() - started) / 1000;
      const snapshot = stats.snapshot();
      const again = await runOnce(
        [socket!],
        MODEL_GET,
        ctx.coldUids.map((uid) => ({ uid })),
      );
      const againCalls = stats.snapshot().total - snapshot.total;
      const calls = modelCalls(snapshot.byPath);
      const firstCalls = modelCalls(firstSnapshot.byPath);
      const n = ctx.coldUids.length;
      const sortedCalls = perModel.map((m) => m.calls).sort((a, b) => a - b);
      const { errors, errorCodes } = errorCount(answers);
      return {
        status: 'ok',
        models: n,
        errors: errors + firstErrors.errors,
        errorCodes,
        throughput: Math.round((n / seconds) * 10) / 10,
        latencyMs: summarizeLatencies(latencies),
        counting:
          'Archivist requests per path from its own counter (reset after Clarity was ready and the readiness ' +
          'polling had stopped, so no health ping /retrieveEntity/type falls in the window); every path but /health ' +
          'counts; one client, each uid once',
        firstModel: { uid: ctx.hierarchyUid, archivistCalls: firstCalls, byPath: firstSnapshot.byPath },
        archivistCalls: calls,
        callsPerModel: Math.round((calls / n) * 100) / 100,
        callsPerModelIncludingHierarchy: Math.round(((calls + firstCalls) / (n + 1)) * 100) / 100,
        byPath: snapshot.byPath,
        factCallsPerModel: Math.round((factCalls(snapshot.byPath) / n) * 100) / 100,
        perModel: {
          max: sortedCalls[sortedCalls.length - 1] ?? 0,
          p50: sortedCalls[Math.floor((sortedCalls.length - 1) / 2)] ?? 0,
          p95: sortedCalls[Math.ceil(0.95 * sortedCalls.length) - 1] ?? 0,
          mostCalls: [...perModel].sort((a, b) => b.calls - a.calls).slice(0, 5),
        },
        warmAgain: { latencyMs: summarizeLatencies(again.latencies), archivistCalls: againCalls },
      };
    } finally {
      socket?.close();
    }
  } finally {
    await clarity.stop();
  }
}

interface FleetMessage {
  phase: 'opened' | 'held' | 'extra' | 'done' | 'failed';
  [key: string]: unknown;
}

/** 5. Connection scale: `sockets` authenticated sockets to one Clarity, held with pings, one more refused. */
export async function connectionScenario(ctx: BenchContext): Promise<ConnectionScenario> {
  const { sockets, holdSeconds, pingIntervalMs } = ctx.options;
  const clarity = await startClarity(ctx, {
    ...ctx.clarityEnv,
    WS_MAX_CONNECTIONS: String(sockets),
    WS_PING_INTERVAL: String(pingIntervalMs),
    WS_PING_TIMEOUT: String(Math.max(10_000, pingIntervalMs * 2)),
  });
  try {
    await sleep(1000);
    const rssBaselineKb = clarity.rssKb();
    const fleet = startProcess(
      'connection fleet',
      process.execPath,
      [
        join(ctx.benchDir, 'connection-fleet.js'),
        JSON.stringify({
          url: clarity.url,
          token: ctx.token,
          count: sockets,
          holdMs: holdSeconds * 1000,
          parallel: 200,
        }),
      ],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
        raiseOpenFileLimit: true,
        outputLimit: 200_000,
        cpu: ctx.cpus?.clients,
      },
    );
    const messages: Partial<Record<FleetMessage['phase'], FleetMessage>> = {};
    let rssOpenKb = Number.NaN;
    let rssAfterHoldKb = Number.NaN;
    let fleetLimit = Number.NaN;
    const timeoutMs = holdSeconds * 1000 + 300_000;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`connection fleet did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
        createInterface({ input: fleet.child.stdout! }).on('line', (line) => {
          let message: FleetMessage;
          try {
            message = JSON.parse(line) as FleetMessage;
          } catch {
            return;
          }
          messages[message.phase] = message;
          if (message.phase === 'opened') {
            rssOpenKb = clarity.rssKb();
            fleetLimit = openFileLimit(fleet.pid);
            ctx.log(
              `  ${String(message.opened)} sockets open in ${Number(message.seconds).toFixed(1)} s; holding ${holdSeconds} s`,
            );
          }
          if (message.phase === 'held') rssAfterHoldKb = clarity.rssKb();
          if (message.phase === 'done') {
            clearTimeout(timer);
            resolve();
          }
          if (message.phase === 'failed') {
            clearTimeout(timer);
            reject(new Error(`connection fleet failed: ${String(message.error)}`));
          }
        });
        fleet.child.once('exit', (code) => {
          if (!messages.done) {
            clearTimeout(timer);
            reject(new Error(`connection fleet exited ${code}: ${fleet.output().slice(-2000)}`));
          }
        });
      });
    } finally {
      await fleet.stop('SIGTERM', 5000);
    }
    const opened = messages.opened!;
    const held = messages.held!;
    const extra = messages.extra!;
    const openedCount = Number(opened.opened);
    const failures = opened.failures as Record<string, number>;
    const unexpectedDisconnects = Number(held.unexpectedDisconnects);
    return {
      status: 'ok',
      sockets,
      opened: openedCount,
      failures,
      handshakeSeconds: Math.round(Number(opened.seconds) * 1000) / 1000,
      handshakesPerSecond: Math.round(Number(opened.handshakesPerSecond)),
      holdSeconds,
      pingIntervalMs,
      stillConnected: Number(held.stillConnected),
      unexpectedDisconnects,
      pingsPerSocket: Math.round(Number(held.pingsPerSocket) * 10) / 10,
      rssBaselineKb,
      rssOpenKb,
      rssAfterHoldKb,
      rssPerSocketKb:
        Math.round(((Math.max(rssOpenKb, rssAfterHoldKb) - rssBaselineKb) / Math.max(1, openedCount)) * 100) / 100,
      extraSocket: {
        refused: Boolean(extra.refused),
        code: (extra.code as string | null) ?? null,
        message: String(extra.message),
      },
      openFileLimit: { clarity: clarity.openFileLimit, fleet: fleetLimit },
      errors:
        Object.values(failures).reduce((s, n) => s + n, 0) +
        unexpectedDisconnects +
        (extra.refused && extra.code === 'CAPACITY' ? 0 : 1),
    };
  } finally {
    await clarity.stop();
  }
}

/** 6. The warm scenario with Redis as the shared cache (skipped when Redis does not answer). */
export async function redisWarmScenario(ctx: BenchContext): Promise<Outcome<LoadScenario>> {
  const url = ctx.options.redisUrl;
  if (!url) return { status: 'skipped', reason: 'disabled with --redis none' };
  const probe = await probeRedis(url);
  if (!probe.ok) return { status: 'skipped', reason: probe.reason };
  await deleteCacheKeys(url);
  const clarity = await startClarity(ctx, { ...ctx.clarityEnv, REDIS_URL: url });
  try {
    const sockets = await connectMany(clarity.url, ctx.token, ctx.options.clients);
    try {
      const { answerTexts: _texts, ...priming } = await primeModels(ctx, sockets);
      const result = await runClosedLoop(sockets, {
        ...loadSpec(ctx),
        next: warmRequest(ctx),
        serverCpuSeconds: () => cpuSeconds(clarity.pid),
      });
      ctx.log(`  redis warm: ${result.throughput} req/s, p99 ${result.latencyMs.p99} ms, ${result.errors} errors`);
      return {
        status: 'ok',
        ...result,
        redisUrl: url,
        distinctUids: ctx.warmUids.length,
        priming,
        rssKb: clarity.rssKb(),
      };
    } finally {
      closeAll(sockets);
    }
  } finally {
    await clarity.stop();
    await deleteCacheKeys(url);
  }
}
