import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { HealthRegistry } from '../health/health-registry.js';
import { LifecycleState } from '../health/lifecycle-state.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
import { dataSourceOptions, externalEndpoint } from './data-source-options.js';
import { withTimeout } from '../common/with-timeout.js';

const HEALTH_QUERY_TIMEOUT_MS = 1500;
/** Advisory lock key guarding migrations ("clar" in ASCII). */
const MIGRATION_LOCK_KEY = 0x636c6172;

/**
 * Owns Clarity's database: starts the embedded PostgreSQL when no POSTGRES_HOST
 * is configured, connects TypeORM with the configured pool, runs pending
 * migrations, reports health, and closes pool and server on shutdown.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private embedded?: EmbeddedPostgresHandle;
  private dataSourceInstance?: DataSource;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly lifecycle: LifecycleState,
  ) {}

  get dataSource(): DataSource {
    if (!this.dataSourceInstance) throw new Error('Database is not connected yet');
    return this.dataSourceInstance;
  }

  /** Called once by the module factory, before anything uses the data source. */
  async connect(): Promise<DataSource> {
    let endpoint = externalEndpoint(this.config);
    if (!endpoint) {
      this.embedded = await startEmbeddedPostgres({
        dataDir: this.config.database.embedded.dataDir,
        port: this.config.database.embedded.port,
        database: this.config.database.database,
        logger: this.logger,
      });
      endpoint = this.embedded;
    }
    const dataSource = new DataSource(dataSourceOptions(this.config, endpoint));
    await dataSource.initialize();
    this.dataSourceInstance = dataSource;
    this.health.register('database', () => this.probe());

    if (this.config.database.migrationsRun) await this.migrate(dataSource);
    this.lifecycle.migrationsDone = true;
    this.logger.info(`Database connected (${endpoint.host}:${endpoint.port}/${endpoint.database})`, {
      context: 'Database',
    });
    return dataSource;
  }

  /**
   * Runs pending migrations under a PostgreSQL advisory lock, so replicas that
   * start together on a fresh database migrate one after the other.
   */
  private async migrate(dataSource: DataSource): Promise<void> {
    const lock = dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) {
        this.logger.info(`Applied migration ${migration.name}`, { context: 'Database' });
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.release();
    }
  }

  private async probe(): Promise<'connected' | 'unavailable'> {
    const ds = this.dataSourceInstance;
    if (!ds?.isInitialized) return 'unavailable';
    try {
      await withTimeout(ds.query('SELECT 1'), HEALTH_QUERY_TIMEOUT_MS);
      return 'connected';
    } catch {
      return 'unavailable';
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSourceInstance?.isInitialized) {
      await this.dataSourceInstance.destroy().catch((error: unknown) => {
        this.logger.warn(`Closing the database pool failed: ${String(error)}`, { context: 'Database' });
      });
    }
    if (this.embedded) {
      await this.embedded.stop();
      this.logger.info('Embedded PostgreSQL stopped', { context: 'Database' });
    }
  }
}
