import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { dataSourceOptions, externalEndpoint } from '../../src/database/data-source-options.js';
import { ChangeLogService } from '../../src/change-log/change-log.service.js';
import { ModelChangeEntity } from '../../src/change-log/model-change.entity.js';
import { ModelChangeRepository } from '../../src/change-log/model-change.repository.js';
import { ModellingSessionEntity } from '../../src/sessions/modelling-session.entity.js';
import { SessionRepository } from '../../src/sessions/session.repository.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';

/** The shared local PostgreSQL of the test environment (trust auth). */
export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;
export const PG_USER = 'postgres';

export function adminClient(database = 'postgres'): pg.Client {
  return new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database, connectionTimeoutMillis: 3000 });
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
export async function postgresUnavailableReason(): Promise<string | undefined> {
  const client = adminClient();
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL on ${PG_HOST}:${PG_PORT} is not reachable (${String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = adminClient();
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty, uniquely named database (`clarity_test_<prefix>_<random>`). */
export async function createTestDatabase(prefix: string): Promise<string> {
  const name = `clarity_test_${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export async function databaseExists(name: string): Promise<boolean> {
  return admin(async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

/** Clarity's configuration pointing at `database` on the local PostgreSQL. */
export function testConfig(database: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig(
    {
      NODE_ENV: 'test',
      POSTGRES_HOST: PG_HOST,
      POSTGRES_PORT: String(PG_PORT),
      POSTGRES_USER: PG_USER,
      POSTGRES_DB: database,
      LOG_FILES: 'false',
      ...env,
    },
    { dotenvPath: null },
  );
}

/** A DataSource built like the service builds it (same options), quiet logging. */
export async function openDataSource(config: AppConfig, options: { migrate?: boolean } = {}): Promise<DataSource> {
  const dataSource = new DataSource({ ...dataSourceOptions(config, externalEndpoint(config)!), logging: false });
  await dataSource.initialize();
  if (options.migrate ?? true) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** The services wired as SessionsModule and ChangeLogModule wire them (TypeORM repositories of `dataSource`). */
export function buildServices(dataSource: DataSource): { sessions: SessionsService; changeLog: ChangeLogService } {
  return {
    sessions: new SessionsService(new SessionRepository(dataSource.getRepository(ModellingSessionEntity))),
    changeLog: new ChangeLogService(new ModelChangeRepository(dataSource.getRepository(ModelChangeEntity))),
  };
}

/** Every row of a table as JSON text, ordered by id: for exact row-by-row comparison. */
export async function tableSnapshot(dataSource: DataSource | pg.Client, table: string): Promise<string[]> {
  const sql = `SELECT row_to_json(t)::text AS row FROM "${table}" t ORDER BY t.id`;
  const rows =
    dataSource instanceof DataSource
      ? await dataSource.query<Array<{ row: string }>>(sql)
      : (await dataSource.query<{ row: string }>(sql)).rows;
  return rows.map((r) => r.row);
}
