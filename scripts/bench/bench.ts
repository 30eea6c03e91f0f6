/**
 * The Clarity benchmark (`npm run bench [-- --quick|--smoke|--data FILE|…]`).
 * Starts everything on loopback — the embedded Archivist (in this process) on the
 * chosen tables, Clarity processes in production mode (LOG_LEVEL=warn) against a
 * bench database, a bare Socket.IO server — drives them over WebSocket with the
 * typed client (src/client, on socket.io-client; the connection-scale fleet uses
 * raw sockets), prints a table, writes the results JSON to bench-results/ and
 * prints that JSON as the last line of stdout. Progress goes to stderr.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import { projectRoot } from '../../src/common/project-root.js';
import { RelationType } from '../../src/gellish/gellish-uids.js';
import { parseBenchOptions, type BenchOptions } from './bench-options.js';
import { runScaleBench } from './scale-scenario.js';
import { setUpDatabase, type DatabaseSetup } from './bench-environment.js';
import { checkTargets, computeRatios, renderReport, type Scenarios } from './bench-report.js';
import {
  bareServerScenario,
  coldScenario,
  connectionScenario,
  redisWarmScenario,
  warmScenarios,
  type BenchContext,
  type FailedScenario,
  type LoadScenario,
  type Outcome,
} from './scenarios.js';

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** A deterministic shuffle (mulberry32), so runs pick the same uids. */
function shuffled<T>(items: readonly T[], seed = 20240601): T[] {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Distinct left uids of the table's specialization facts (subtypes: kinds), in a fixed shuffled order. */
function kindUids(archivist: ArchivistServer): number[] {
  const uids = new Set<number>();
  const { store } = archivist;
  const rows = store.rowsOfRelationType(RelationType.SPECIALIZATION);
  for (let i = 0; i < rows.length; i++) uids.add(store.leftUidAt(rows[i]!));
  return shuffled([...uids].sort((a, b) => a - b));
}

async function run<T>(name: string, fn: () => Promise<T>): Promise<T | FailedScenario> {
  log(`scenario ${name}…`);
  const started = Date.now();
  try {
    const result = await fn();
    log(`  ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    log(`  ${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 'failed', reason };
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options.scaleFacts !== undefined) return runScaleBench(options, options.scaleFacts, log);
  const startedAt = new Date();
  const loadBefore = loadavg();
  const benchDir = import.meta.dirname;
  const mainJs = resolve(benchDir, '..', '..', 'src', 'main.js');
  if (!existsSync(mainJs)) {
    process.stderr.write(`Clarity is not built (${mainJs} missing): run tsc -p tsconfig.json first\n`);
    return 2;
  }
  const root = projectRoot();
  const resultsDir = join(root, 'bench-results');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const dataFiles = options.dataFiles.length ? options.dataFiles : bundledKnowledgeBasePaths();
  const topini = dataFiles.some((f) => /topini/i.test(basename(f)));
  log(`mode ${options.mode}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);

  const cleanups: Array<() => Promise<unknown>> = [];
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: cleaning up');
  });
  try {
    log(`loading the Archivist tables: ${dataFiles.join(', ')}`);
    const archivist = await startArchivistServer({ dataFiles, logger: silentLogger });
    cleanups.push(() => archivist.close());
    const kinds = kindUids(archivist);
    if (kinds.length < 2) throw new Error(`the table has too few specialization facts (${kinds.length} kinds)`);
    const warmUids = kinds.slice(0, Math.min(options.warmUids, kinds.length));
    const hierarchyUid = kinds[kinds.length - 1]!;
    const coldPool = kinds.slice(0, -1);
    const coldUids = coldPool.slice(0, Math.min(options.coldUids, coldPool.length));
    log(
      `Archivist ${archivist.url}: ${archivist.store.size} facts, ${kinds.length} kinds; warm ${warmUids.length} uids, cold ${coldUids.length}`,
    );

    const db: DatabaseSetup = await setUpDatabase(options.postgres);
    cleanups.push(() => db.cleanup());
    log(`database: ${db.description}`);

    const jwtSecret = randomBytes(36).toString('base64url');
    const token = await new JwtService({ secret: jwtSecret }).signAsync(
      {},
      { algorithm: 'HS256', subject: 'bench', expiresIn: '4h' },
    );
    const clarityEnv: Record<string, string> = {
      ...db.env,
      JWT_SECRET: jwtSecret,
      ARCHIVIST_URL: archivist.url,
      LOG_LEVEL: 'warn',
      LOG_FILES: 'false',
      // The per-socket token bucket (default 100/s) would turn a closed loop into RATE_LIMITED errors:
      // the benchmark measures capacity, so the limiter is set out of reach.
      WS_RATE_LIMIT: '1000000',
      // All benchmark sockets use one token (one user): the per-user socket quota is set out of reach too.
      WS_MAX_CONNECTIONS_PER_USER: '1000000',
    };
    const cpuPinning = options.pin ? pinClients() : undefined;
    log(
      cpuPinning
        ? `pinned: clients (this process) on CPU ${cpuPinning.clients}, servers under test on CPU ${cpuPinning.server}`
        : 'not pinned: the scheduler places every process',
    );
    const ctx: BenchContext = {
      options,
      mainJs,
      benchDir,
      clarityEnv,
      token,
      archivist,
      warmUids,
      coldUids,
      hierarchyUid,
      resultsDir,
      cpus: cpuPinning,
      log,
    };

    const bare = await run('1 bare server', () => bareServerScenario(ctx));
    const warmBoth = await run('2+1b+4 warm model/get against the bare server with the same answers, get-batch', () =>
      warmScenarios(ctx),
    );
    const warmMeanBytes =
      'status' in warmBoth ? 0 : (warmBoth.warm.priming as { responseBytes: { mean: number } }).responseBytes.mean;
    const bareSame: Outcome<LoadScenario> = 'status' in warmBoth ? warmBoth : warmBoth.bareSame;
    const SMALL_ENVELOPE_BYTES = 120; // what the bare server's own envelope weighs without padding
    const bareSized = interrupted
      ? skippedByInterrupt()
      : warmMeanBytes > 0
        ? await run("1c bare server, padded to the answers' size", () =>
            bareServerScenario(ctx, {
              kind: 'padded',
              paddingBytes: Math.max(1, warmMeanBytes - SMALL_ENVELOPE_BYTES),
            }),
          )
        : ({ status: 'skipped', reason: 'no warm answers to size the padding' } as const);
    const notRun = (): Outcome<never> => (interrupted ? skippedByInterrupt() : skippedByWarmOnly());
    const cold = interrupted || options.warmOnly ? notRun() : await run('3 cold model/get', () => coldScenario(ctx));
    const connections =
      interrupted || options.warmOnly ? notRun() : await run('5 connection scale', () => connectionScenario(ctx));
    const redis =
      interrupted || options.warmOnly ? notRun() : await run('6 warm model/get + Redis', () => redisWarmScenario(ctx));

    const failedWarm = 'status' in warmBoth ? warmBoth : undefined;
    const warmOk = 'status' in warmBoth ? undefined : warmBoth;
    const scenarios: Scenarios = {
      bare,
      bareSame,
      bareSized,
      warm: warmOk?.warm ?? failedWarm!,
      cold,
      batch: warmOk?.batch ?? failedWarm!,
      connections,
      redis,
    };
    const profile = warmOk?.profile;
    const ratios = computeRatios(scenarios);
    const targets = checkTargets(scenarios, ratios, { clients: options.clients, topini });
    const loadAfter = loadavg();
    const finishedAt = new Date();
    const results = {
      benchmark: 'clarity',
      version,
      mode: options.mode,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
        loadAverageAfter: loadAfter.map((l) => Math.round(l * 100) / 100),
      },
      setup: {
        archivist: {
          data: dataFiles.map((f) => relativeToRoot(root, f)),
          facts: archivist.store.size,
          kinds: kinds.length,
          topini,
        },
        database: db.description,
        clarity: {
          nodeEnv: db.env.NODE_ENV,
          logLevel: 'warn',
          rateLimitPerSocket: Number(clarityEnv.WS_RATE_LIMIT),
          transport: 'websocket',
        },
        clients: options.clients,
        cpuPinning: cpuPinning ?? 'none',
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        warmUids: warmUids.length,
        coldUids: coldUids.length,
        batchSize: options.batchSize,
        sockets: options.sockets,
        holdSeconds: options.holdSeconds,
      },
      scenarios,
      ratios,
      targets,
      ...(profile ? { profile } : {}),
    };

    const outFile =
      options.out ?? join(resultsDir, `bench-${options.mode}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

    const header = [
      `Clarity benchmark ${version} — ${options.mode} run, ${results.seconds} s, ${startedAt.toISOString()}`,
      `machine: ${cpus().length} × ${results.machine.cpuModel}, Node ${process.version}, load average before ${results.machine.loadAverageBefore.join(' ')}, after ${results.machine.loadAverageAfter.join(' ')}`,
      `Archivist: ${results.setup.archivist.data.join(', ')} (${archivist.store.size} facts, ${kinds.length} kinds)`,
      `database: ${db.description}`,
      `Clarity: NODE_ENV=${db.env.NODE_ENV}, LOG_LEVEL=warn, WS_RATE_LIMIT=${clarityEnv.WS_RATE_LIMIT}; ${options.clients} clients, ${options.durationSeconds} s measured after ${options.warmupSeconds} s warm-up`,
      cpuPinning
        ? `CPUs: clients on CPU ${cpuPinning.clients}, servers under test on CPU ${cpuPinning.server} (--no-pin to leave them free)`
        : 'CPUs: not pinned',
    ];
    process.stdout.write(renderReport(scenarios, ratios, targets, header));
    if (profile) {
      process.stdout.write(`\nCPU profile of the warm Clarity (${profile.file}), top self time:\n`);
      for (const f of profile.top.slice(0, 15)) {
        process.stdout.write(`  ${String(f.selfPercent).padStart(5)}%  ${f.function}  ${f.location}\n`);
      }
    }
    process.stdout.write(`\nresults: ${outFile}\n`);
    process.stdout.write(`${JSON.stringify(results)}\n`);
    const allRan = Object.values(scenarios).every((s) => s.status !== 'failed');
    return allRan ? 0 : 1;
  } catch (error) {
    log(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
    }
  }
}

/**
 * Clients on the first CPU (this process, all its threads, and what it starts later unless
 * told otherwise), the servers under test on the last. The clients and the server share
 * the machine; left to the scheduler they trade cores and caches from moment to moment,
 * and two measurements of the same server differed by up to 30 %. Undefined (nothing
 * pinned) with fewer than 2 CPUs or without `taskset`.
 */
function pinClients(): { server: number; clients: number } | undefined {
  const count = cpus().length;
  if (count < 2) return undefined;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { clients: 0, server: count - 1 };
}

function skippedByInterrupt(): Outcome<never> {
  return { status: 'skipped', reason: 'interrupted' };
}

function skippedByWarmOnly(): Outcome<never> {
  return { status: 'skipped', reason: '--warm-only' };
}

function relativeToRoot(root: string, file: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(String(error));
    process.exit(1);
  },
);
