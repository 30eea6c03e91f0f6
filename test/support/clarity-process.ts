import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SignJWT } from 'jose';
import { projectRoot } from '../../src/common/project-root.js';

/** A JWT secret for test processes (HS256). */
export const TEST_JWT_SECRET = 'clarity-test-secret-0123456789abcdef0123456789';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function mintToken(
  sub: string,
  {
    secret = TEST_JWT_SECRET,
    ttl = '1h',
    claims = {},
  }: { secret?: string; ttl?: string; claims?: Record<string, unknown> } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}

/** Is the real local PostgreSQL configured for this test run (CI exports POSTGRES_HOST)? */
export function realPostgres(): { host: string; port: number; user: string } | undefined {
  const host = process.env.POSTGRES_HOST;
  if (!host) return undefined;
  return { host, port: Number(process.env.POSTGRES_PORT ?? 5432), user: process.env.POSTGRES_USER ?? 'postgres' };
}

export function realRedisUrl(): string | undefined {
  return process.env.REDIS_URL;
}

/** Creates a fresh database on the real PostgreSQL; returns its name and a drop function. */
export async function createTestDatabase(prefix = 'clarity_test'): Promise<{ name: string; drop(): Promise<void> }> {
  const server = realPostgres();
  if (!server) throw new Error('POSTGRES_HOST is not set');
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ ...server, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    name,
    async drop() {
      const c = new pg.Client({ ...server, database: 'postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ClarityProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code and the time it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts the built service (dist/src/main.js) as a real child process and waits
 * until it logs that it listens. `env` is the whole configuration: nothing of the
 * test runner's environment leaks in except PATH and HOME.
 */
export async function startClarityProcess(
  env: Record<string, string | undefined>,
  { readyTimeoutMs = 60_000, cwd }: { readyTimeoutMs?: number; cwd?: string } = {},
): Promise<ClarityProcess> {
  const port = env.RELICA_CLARITY_API_PORT ? Number(env.RELICA_CLARITY_API_PORT) : await freePort();
  const workDir = cwd ?? mkdtempSync(join(tmpdir(), 'clarity-proc-'));
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'main.js')], {
    cwd: workDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_FILES: 'false',
      LOG_LEVEL: 'info',
      JWT_SECRET: TEST_JWT_SECRET,
      ...env,
      RELICA_CLARITY_API_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Clarity did not start within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    const check = (): void => {
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Clarity exited with code ${code} before listening:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const started = Date.now();
      if (child.exitCode !== null) return { code: child.exitCode, ms: 0 };
      child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

/**
 * Database settings for a test process: a fresh database on the real local
 * PostgreSQL when POSTGRES_HOST is set (CI), else an embedded PostgreSQL in a
 * temporary folder on a free port.
 */
export async function databaseEnv(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const server = realPostgres();
  if (server) {
    const db = await createTestDatabase();
    return {
      env: {
        POSTGRES_HOST: server.host,
        POSTGRES_PORT: String(server.port),
        POSTGRES_USER: server.user,
        POSTGRES_DB: db.name,
      },
      cleanup: () => db.drop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'clarity-embedded-pg-'));
  chmodSync(dir, 0o755); // as root, the server runs as the postgres user, who must enter it
  return {
    env: { EMBEDDED_POSTGRES_DIR: join(dir, 'data'), EMBEDDED_POSTGRES_PORT: String(await freePort()) },
    cleanup: async () => undefined,
  };
}
