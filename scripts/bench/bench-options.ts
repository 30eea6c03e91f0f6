import { isAbsolute, resolve } from 'node:path';

/** Command-line options of the benchmark (`node dist/scripts/bench/bench.js --help`). */
export interface BenchOptions {
  mode: 'full' | 'quick' | 'smoke';
  /** Concurrent closed-loop clients of the load scenarios. */
  clients: number;
  /** Measured seconds per load scenario (after warmupSeconds). */
  durationSeconds: number;
  /** Unmeasured seconds of load before each measurement (JIT, caches). */
  warmupSeconds: number;
  /** Gellish tables of the embedded Archivist; empty = the bundled knowledge base. */
  dataFiles: string[];
  /** Distinct uids of the warm scenarios. */
  warmUids: number;
  /** Uids of the cold scenario, each requested once. */
  coldUids: number;
  batchSize: number;
  /** Sockets of the connection-scale scenario (= WS_MAX_CONNECTIONS of that process). */
  sockets: number;
  /** Seconds the sockets are held open (with pings). */
  holdSeconds: number;
  /** WS_PING_INTERVAL of the connection-scale scenario, ms. */
  pingIntervalMs: number;
  /** undefined: use the embedded PostgreSQL (NODE_ENV=test) without trying a real one. */
  postgres: { host: string; port: number; user: string } | undefined;
  /** undefined: the Redis scenario is skipped (--redis none). */
  redisUrl: string | undefined;
  /** Run the warm Clarity with --cpu-prof and summarise the profile. */
  profile: boolean;
  /** Results JSON path; default bench-results/bench-<mode>-<timestamp>.json. */
  out?: string;
  /** Pin the servers under test and the clients to a CPU each (default with 2+ CPUs; --no-pin to leave them free). */
  pin: boolean;
  /** --warm-only: scenarios 1, 1b, 2 and 4 only (the warm throughput and its ceilings). */
  warmOnly: boolean;
  /** --scale N: only the scale scenario (TOPini + N generated facts, scripts/bench/scale-scenario.ts). */
  scaleFacts?: number;
}

export const USAGE = `Usage: node dist/scripts/bench/bench.js [options]
  --quick              shorter run (whole run < 3 minutes)
  --smoke              a few seconds per scenario (test suite): 2 clients, 1 s, 50 sockets
  --clients N          concurrent clients of the load scenarios (default 16)
  --duration S         measured seconds per load scenario (default 30, quick 8, smoke 1)
  --warmup S           unmeasured warm-up seconds before each measurement (default 3, quick 2, smoke 0.5)
  --data a.csv[,b.csv] Archivist tables (default: the bundled knowledge base),
                       e.g. --data ../shared/data/gellish/TOPini.csv
  --uids N             distinct uids of the warm scenarios (default 300)
  --cold-uids N        uids of the cold scenario (default 100)
  --batch-size N       uids per clarity.model/get-batch request (default 50)
  --sockets N          sockets of the connection scenario (default 5000, smoke 50)
  --hold S             seconds the sockets stay open (default 30, quick 10, smoke 2)
  --ping-interval MS   WS_PING_INTERVAL during the connection scenario (default 5000, smoke 500)
  --postgres HOST:PORT real PostgreSQL (user postgres) to use (default 127.0.0.1:5432;
                       unreachable: NODE_ENV=test with an embedded PostgreSQL)
  --embedded-postgres  skip the real PostgreSQL: NODE_ENV=test with an embedded PostgreSQL
  --redis URL|none     Redis of the shared-cache scenario (default redis://127.0.0.1:6379/14;
                       none skips that scenario)
  --profile            run the warm-scenario Clarity with --cpu-prof and print its top functions
  --out FILE           where to write the results JSON
  --no-pin             leave the processes to the scheduler (by default, with 2+ CPUs, the
                       servers under test run on the last CPU and the clients on the first)
  --warm-only          only scenarios 1, 2, 4 and 1b (warm throughput against its ceilings;
                       about a minute with --quick)
  --scale N            only the scale scenario: TOPini plus N generated facts (cached in
                       bench-results/), hub model size and latency, paging, memory
`;

function positiveNumber(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n <= 0)
    throw new Error(`${flag} needs a positive number, got "${text}"`);
  return n;
}

function integer(flag: string, text: string | undefined): number {
  const n = positiveNumber(flag, text);
  if (!Number.isInteger(n)) throw new Error(`${flag} needs an integer, got "${text}"`);
  return n;
}

/** Parses argv (without node and the script); throws on an unknown flag or a bad value. */
export function parseBenchOptions(argv: readonly string[], cwd = process.cwd()): BenchOptions {
  const given = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (
      ['--quick', '--smoke', '--profile', '--embedded-postgres', '--warm-only', '--no-pin', '--help'].includes(flag)
    ) {
      given.set(flag, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    given.set(flag, value);
  }
  if (given.has('--help')) throw new Error(USAGE);
  const known = new Set([
    '--quick',
    '--smoke',
    '--profile',
    '--embedded-postgres',
    '--warm-only',
    '--no-pin',
    '--clients',
    '--duration',
    '--warmup',
    '--data',
    '--uids',
    '--cold-uids',
    '--batch-size',
    '--sockets',
    '--hold',
    '--ping-interval',
    '--postgres',
    '--redis',
    '--out',
    '--scale',
  ]);
  for (const flag of given.keys()) if (!known.has(flag)) throw new Error(`unknown option ${flag}\n${USAGE}`);

  const mode = given.has('--smoke') ? 'smoke' : given.has('--quick') ? 'quick' : 'full';
  const pick = <T>(full: T, quick: T, smoke: T): T => (mode === 'smoke' ? smoke : mode === 'quick' ? quick : full);
  const str = (flag: string): string | undefined => {
    const v = given.get(flag);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (flag: string, fallback: number, parse = positiveNumber): number =>
    given.has(flag) ? parse(flag, str(flag)) : fallback;

  const pgText = str('--postgres') ?? '127.0.0.1:5432';
  const pgMatch = /^([^:]+)(?::(\d+))?$/.exec(pgText);
  if (!pgMatch) throw new Error(`--postgres needs HOST[:PORT], got "${pgText}"`);

  const data = str('--data');
  const out = str('--out');
  return {
    mode,
    clients: num('--clients', pick(16, 16, 2), integer),
    durationSeconds: num('--duration', pick(30, 8, 1)),
    warmupSeconds: num('--warmup', pick(3, 2, 0.5)),
    dataFiles: data
      ? data
          .split(',')
          .filter(Boolean)
          .map((f) => (isAbsolute(f) ? f : resolve(cwd, f)))
      : [],
    warmUids: num('--uids', pick(300, 300, 60), integer),
    coldUids: num('--cold-uids', pick(100, 100, 20), integer),
    batchSize: num('--batch-size', 50, integer),
    sockets: num('--sockets', pick(5000, 5000, 50), integer),
    holdSeconds: num('--hold', pick(30, 10, 2)),
    pingIntervalMs: num('--ping-interval', pick(5000, 5000, 500), integer),
    postgres: given.has('--embedded-postgres')
      ? undefined
      : { host: pgMatch[1]!, port: Number(pgMatch[2] ?? 5432), user: 'postgres' },
    redisUrl: str('--redis') === 'none' ? undefined : (str('--redis') ?? 'redis://127.0.0.1:6379/14'),
    profile: given.has('--profile'),
    warmOnly: given.has('--warm-only'),
    pin: !given.has('--no-pin'),
    out: out ? (isAbsolute(out) ? out : resolve(cwd, out)) : undefined,
    scaleFacts: given.has('--scale') ? integer('--scale', str('--scale')) : undefined,
  };
}
