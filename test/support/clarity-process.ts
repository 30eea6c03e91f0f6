import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { JwtService } from '@nestjs/jwt';
import { freePort } from '../../scripts/support/child-process.js';
import { launchClarity, type ClarityChild } from '../../scripts/support/clarity-launcher.js';

export { freePort };

/** A JWT secret for test processes (HS256). */
export const TEST_JWT_SECRET = 'clarity-test-secret-0123456789abcdef0123456789';

export async function mintToken(
  sub: string,
  {
    secret = TEST_JWT_SECRET,
    ttl = '1h',
    claims = {},
  }: { secret?: string; ttl?: string; claims?: Record<string, unknown> } = {},
): Promise<string> {
  return new JwtService({ secret }).signAsync(claims, {
    algorithm: 'HS256',
    subject: sub,
    expiresIn: ttl as `${number}${'s' | 'm' | 'h' | 'd'}`,
  });
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

export type ClarityProcess = ClarityChild;

/**
 * Starts the built service (dist/src/main.js) as a real child process and waits
 * until it logs that it listens. `env` is the whole configuration: nothing of the
 * test runner's environment leaks in except PATH and HOME.
 */
export async function startClarityProcess(
  env: Record<string, string | undefined>,
  { readyTimeoutMs = 60_000, cwd }: { readyTimeoutMs?: number; cwd?: string } = {},
): Promise<ClarityProcess> {
  return launchClarity({
    env: { NODE_ENV: 'test', LOG_FILES: 'false', LOG_LEVEL: 'info', JWT_SECRET: TEST_JWT_SECRET, ...env },
    cwd,
    readyTimeoutMs,
  });
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
