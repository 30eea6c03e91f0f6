import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { ERROR_CODES as CLARITY_ERROR_CODES } from '../../src/common/clarity-error.js';
import { buildRoutes, type RouteDependencies } from '../../src/gateway/event-routes.js';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from './clarity-process.js';
import { connect, type Envelope } from './socket-client.js';

/** Every event name (and alias) of the gateway's route table, read from the table itself. */
export function routedEvents(): string[] {
  // The handlers are never called: only the table's keys are read.
  return [...buildRoutes({} as unknown as RouteDependencies).keys()];
}

/** The error codes of spec §3, from their source of truth. */
export const ERROR_CODES: ReadonlySet<string> = new Set<string>(CLARITY_ERROR_CODES);

/** What must never reach a client: stack frames, source locations, internal paths. */
const LEAKS: Array<[string, RegExp]> = [
  ['stack frame', /(^|\n)\s*at\s+\S+/],
  ['source location', /\(\S+:\d+:\d+\)|\.(ts|js|mjs):\d+/],
  ['internal path', /\/work\b|node_modules|\/home\/|\/tmp\//],
  ['error class name', /\b(TypeError|RangeError|SyntaxError|ReferenceError|QueryFailedError|ZodError)\b/],
];

export function leakIn(text: string): string | undefined {
  for (const [what, pattern] of LEAKS) if (pattern.test(text)) return what;
  return undefined;
}

/** Asserts the spec §3 envelope shape; for failures the code is known and the message leaks nothing. */
export function assertEnvelope(envelope: Envelope, context: string): void {
  const where = `${context}: ${JSON.stringify(envelope)?.slice(0, 400)}`;
  assert.equal(typeof envelope, 'object', where);
  assert.ok(envelope !== null, where);
  assert.equal(envelope.type, 'response', where);
  assert.equal(typeof envelope.id, 'string', where);
  assert.equal(typeof envelope.success, 'boolean', where);
  assert.equal(typeof envelope.timestamp, 'number', where);
  assert.ok(Number.isInteger(envelope.timestamp) && Math.abs(Date.now() - envelope.timestamp) < 300_000, where);
  if (!envelope.success) {
    assert.equal(typeof envelope.error, 'string', where);
    assert.ok(ERROR_CODES.has(envelope.code ?? ''), where);
    const leak = leakIn(envelope.error ?? '');
    assert.equal(leak, undefined, `${where} leaks a ${leak}`);
  }
}

export function assertError(envelope: Envelope, code: string, context: string): void {
  assertEnvelope(envelope, context);
  assert.equal(envelope.success, false, `${context}: expected ${code}, got ${JSON.stringify(envelope).slice(0, 300)}`);
  assert.equal(envelope.code, code, `${context}: ${JSON.stringify(envelope).slice(0, 300)}`);
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Open file descriptors of a process that are sockets, from /proc/<pid>/fd. */
export function socketFdCount(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface HealthBody {
  status: string;
  dependencies: { database: string; archivist: string; cache: string };
}

export async function health(url: string): Promise<HealthBody> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, 'liveness answers 200 whatever the dependencies say');
  return (await res.json()) as HealthBody;
}

export async function readiness(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

/** A started Clarity with its own database and helpers to open (and later close) clients. */
export interface ReliabilityService {
  clarity: ClarityProcess;
  pid: number;
  client(sub?: string): Promise<Socket>;
  token(sub?: string, claims?: Record<string, unknown>): Promise<string>;
  /** Closes the clients, stops Clarity (asserting exit 0) and drops the database. */
  close(): Promise<void>;
}

export async function startService(
  env: Record<string, string | undefined> = {},
  { db }: { db?: { env: Record<string, string>; cleanup(): Promise<void> } } = {},
): Promise<ReliabilityService> {
  const database = db ?? (await databaseEnv());
  let clarity: ClarityProcess;
  try {
    clarity = await startClarityProcess({ ...database.env, ...env });
  } catch (error) {
    if (!db) await database.cleanup();
    throw error;
  }
  const sockets: Socket[] = [];
  return {
    clarity,
    pid: clarity.child.pid!,
    token: (sub = 'alice', claims = {}) => mintToken(sub, { claims }),
    async client(sub = 'alice') {
      const socket = await connect(clarity.url, { token: await mintToken(sub) });
      sockets.push(socket);
      return socket;
    },
    async close() {
      for (const s of sockets) s.close();
      const { code } = await clarity.stop();
      if (!db) await database.cleanup();
      assert.equal(code, 0, `Clarity exit code\n${clarity.output().slice(-3000)}`);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
