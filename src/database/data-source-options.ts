import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ModelChangeEntity } from '../change-log/model-change.entity.js';
import { ModellingSessionEntity } from '../sessions/modelling-session.entity.js';
import { IdempotencyKeyEntity } from '../modelling/idempotency-key.entity.js';

/** Where the database lives once any embedded server is up. */
export interface DatabaseEndpoint {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** Upper bound of one query, client- and server-side. */
const QUERY_TIMEOUT_MS = 15_000;

const migrationsDir = join(import.meta.dirname, '..', '..', 'migrations');

/** Every entity of Clarity's database; the feature modules register theirs with `TypeOrmModule.forFeature`. */
const ENTITIES = [ModellingSessionEntity, ModelChangeEntity, IdempotencyKeyEntity];

/**
 * TypeORM options for Clarity's own data, the same for the service
 * (`TypeOrmModule.forRootAsync` in DatabaseModule) and the migration CLI
 * (data-source.cli.ts): the entities above, migrations the compiled files of the
 * top-level `migrations/` folder. `synchronize` is always off: the schema
 * changes only by migrations.
 */
export function dataSourceOptions(config: AppConfig, endpoint: DatabaseEndpoint): DataSourceOptions {
  const db = config.database;
  return {
    type: 'postgres',
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    password: endpoint.password,
    database: endpoint.database,
    entities: ENTITIES,
    migrations: [join(migrationsDir, '*.js')],
    migrationsTableName: 'clarity_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'migration'],
    applicationName: 'clarity',
    connectTimeoutMS: db.connectionTimeoutMs,
    extra: {
      max: db.maxConnections,
      idleTimeoutMillis: db.idleTimeoutMs,
      connectionTimeoutMillis: db.connectionTimeoutMs,
      // A query on a connection that silently died must not hang a request forever.
      query_timeout: QUERY_TIMEOUT_MS,
      statement_timeout: QUERY_TIMEOUT_MS,
    },
  };
}

export function externalEndpoint(config: AppConfig): DatabaseEndpoint | undefined {
  const db = config.database;
  if (!db.host) return undefined;
  return { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database };
}
