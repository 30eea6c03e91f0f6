import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { externalEndpoint, type DatabaseEndpoint } from './data-source-options.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';

/**
 * The PostgreSQL server Clarity uses: the configured one (POSTGRES_HOST), or,
 * without it, the embedded PostgreSQL, started before TypeORM connects and
 * stopped by DatabaseService once the pool is closed.
 */
@Injectable()
export class DatabaseServer {
  private embedded?: EmbeddedPostgresHandle;
  private started?: Promise<DatabaseEndpoint>;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Where to connect; the first call starts the embedded server when one is needed. */
  endpoint(): Promise<DatabaseEndpoint> {
    this.started ??= this.start();
    return this.started;
  }

  private async start(): Promise<DatabaseEndpoint> {
    const external = externalEndpoint(this.config);
    if (external) return external;
    this.embedded = await startEmbeddedPostgres({
      dataDir: this.config.database.embedded.dataDir,
      port: this.config.database.embedded.port,
      database: this.config.database.database,
      logger: this.logger,
    });
    return this.embedded;
  }

  /** Stops the embedded server, if this process started one. */
  async stop(): Promise<void> {
    if (!this.embedded) return;
    const embedded = this.embedded;
    this.embedded = undefined;
    await embedded.stop();
    this.logger.info('Embedded PostgreSQL stopped', { context: 'Database' });
  }
}
