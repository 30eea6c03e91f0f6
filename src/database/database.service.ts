import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { HealthRegistry } from '../health/health-registry.js';
import { LifecycleState } from '../health/lifecycle-state.js';
import { withTimeout } from '../common/with-timeout.js';
import { DatabaseServer } from './database-server.js';

const HEALTH_QUERY_TIMEOUT_MS = 1500;
/** Advisory lock key guarding migrations ("clar" in ASCII). */
const MIGRATION_LOCK_KEY = 0x636c6172;

/**
 * Runs pending migrations once TypeOrmModule has connected, reports the
 * database's health, and on shutdown closes the pool, then stops the embedded
 * PostgreSQL (if any).
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly lifecycle: LifecycleState,
    private readonly dataSource: DataSource,
    private readonly server: DatabaseServer,
  ) {}

  /** Nest awaits this before the application listens: readiness follows the migrations. */
  async onModuleInit(): Promise<void> {
    this.health.register('database', () => this.probe());
    if (this.config.database.migrationsRun) await this.migrate();
    this.lifecycle.migrationsDone = true;
    const { host, port, database } = await this.server.endpoint();
    this.logger.info(`Database connected (${host}:${port}/${database})`, { context: 'Database' });
  }

  /**
   * Runs pending migrations under a PostgreSQL advisory lock, so replicas that
   * start together on a fresh database migrate one after the other.
   */
  private async migrate(): Promise<void> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) {
        this.logger.info(`Applied migration ${migration.name}`, { context: 'Database' });
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.release();
    }
  }

  private async probe(): Promise<'connected' | 'unavailable'> {
    if (!this.dataSource.isInitialized) return 'unavailable';
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), HEALTH_QUERY_TIMEOUT_MS);
      return 'connected';
    } catch {
      return 'unavailable';
    }
  }

  /**
   * TypeOrmModule closes the DataSource too, but its module is global and Nest
   * runs the shutdown hooks of global modules last: the pool is closed here, so
   * that the embedded server stops after it (TypeOrmModule then finds it closed).
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy().catch((error: unknown) => {
        this.logger.warn(`Closing the database pool failed: ${String(error)}`, { context: 'Database' });
      });
    }
    await this.server.stop();
  }
}
