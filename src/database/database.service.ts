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
/** The migration that keeps the previous service's table, and the name it keeps it under (spec §8). */
const LEGACY_MIGRATION = 'KeepLegacyModellingSession1764300000000';
const LEGACY_KEPT_AS = 'modelling_session_legacy';
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
      await this.reportLegacyTable(applied.some((m) => m.name === LEGACY_MIGRATION));
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.release();
    }
  }

  /**
   * Says in the log what became of the previous service's table (spec §8): when
   * the KeepLegacyModellingSession migration just renamed it, and on every later
   * start while the kept table is still there.
   */
  private async reportLegacyTable(keptNow: boolean): Promise<void> {
    const [{ kept }] = await this.dataSource.query<Array<{ kept: string | null }>>(
      `SELECT to_regclass('${LEGACY_KEPT_AS}')::text AS kept`,
    );
    if (kept === null) return;
    const [{ count }] = await this.dataSource.query<Array<{ count: string }>>(
      `SELECT count(*)::text AS count FROM "${LEGACY_KEPT_AS}"`,
    );
    const message = keptNow
      ? `Legacy table modelling_session (${count} rows) kept as ${LEGACY_KEPT_AS}`
      : `Legacy table ${LEGACY_KEPT_AS} (${count} rows) from the previous service is kept`;
    this.logger.info(message, { context: 'Database' });
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
