import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { freePort } from '../support/child-process.js';

export interface DatabaseSetup {
  /** Environment of every Clarity process of the run. */
  env: Record<string, string>;
  /** Human-readable: which database, and why the fallback when there is one. */
  description: string;
  production: boolean;
  cleanup(): Promise<void>;
}

/**
 * A fresh database `clarity_bench_<time>` on the real PostgreSQL (user postgres,
 * trust auth) when it answers; otherwise NODE_ENV=test with an embedded
 * PostgreSQL in a temporary folder (production mode needs POSTGRES_HOST).
 */
export async function setUpDatabase(
  server: { host: string; port: number; user: string } | undefined,
): Promise<DatabaseSetup> {
  if (!server) return embeddedDatabase('--embedded-postgres given');
  const name = `clarity_bench_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ ...server, database: 'postgres', connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    return {
      env: {
        NODE_ENV: 'production',
        POSTGRES_HOST: server.host,
        POSTGRES_PORT: String(server.port),
        POSTGRES_USER: server.user,
        POSTGRES_DB: name,
      },
      production: true,
      description: `PostgreSQL ${server.host}:${server.port} (database ${name}, dropped afterwards), NODE_ENV=production`,
      async cleanup() {
        const c = new pg.Client({ ...server, database: 'postgres', connectionTimeoutMillis: 3000 });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  } catch (error) {
    await admin.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    return embeddedDatabase(`PostgreSQL ${server.host}:${server.port} unreachable (${reason})`);
  }
}

async function embeddedDatabase(why: string): Promise<DatabaseSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'clarity-bench-pg-'));
  chmodSync(dir, 0o755); // as root the embedded server runs as the postgres user, who must enter it
  return {
    env: {
      NODE_ENV: 'test',
      EMBEDDED_POSTGRES_DIR: join(dir, 'data'),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    },
    production: false,
    description:
      `FALLBACK: ${why}; NODE_ENV=test with an embedded PostgreSQL in ${dir} ` +
      `(production mode needs POSTGRES_HOST), removed afterwards`,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A connection for one short task: connects on demand, never retries, errors surface as rejections. */
function oneShotRedis(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  return client;
}

/** Whether Redis answers PING; the reason when it does not. */
export async function probeRedis(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = oneShotRedis(url);
  try {
    await client.connect();
    const answer = await client.ping();
    return answer === 'PONG' ? { ok: true } : { ok: false, reason: `PING answered ${answer}` };
  } catch (error) {
    return { ok: false, reason: `${url} unreachable: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys Clarity's Archivist cache wrote (default prefix) in the bench's Redis database. */
export async function deleteCacheKeys(url: string, pattern = 'clarity:archivist:*'): Promise<number> {
  const client = oneShotRedis(url);
  let deleted = 0;
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } catch {
    // best effort: the keys expire with the cache TTL anyway
  } finally {
    client.disconnect();
  }
  return deleted;
}
