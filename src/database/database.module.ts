import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { HealthModule } from '../health/health.module.js';
import { dataSourceOptions } from './data-source-options.js';
import { DatabaseServer } from './database-server.js';
import { DatabaseService } from './database.service.js';

/** The PostgreSQL server, shared by TypeOrmModule's options factory and DatabaseService. */
@Module({
  providers: [DatabaseServer],
  exports: [DatabaseServer],
})
class DatabaseServerModule {}

/**
 * Clarity's database: TypeOrmModule connected with the options the migration
 * CLI uses too (after the embedded PostgreSQL is up, when no POSTGRES_HOST is
 * set), and DatabaseService (migrations, health, shutdown order). Feature
 * modules get their repositories with `TypeOrmModule.forFeature`.
 */
@Module({
  imports: [
    DatabaseServerModule,
    HealthModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [CONFIG, DatabaseServer],
      useFactory: async (config: AppConfig, server: DatabaseServer) => ({
        ...dataSourceOptions(config, await server.endpoint()),
        // A database that cannot be reached ends the start-up at once (the orchestrator restarts the process).
        toRetry: () => false,
      }),
    }),
  ],
  providers: [DatabaseService],
})
export class DatabaseModule {}
