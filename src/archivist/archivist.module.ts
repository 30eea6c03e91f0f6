import { Global, Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { ArchivistClient } from './archivist-client.js';
import { ArchivistRuntime } from './archivist-runtime.js';

/** Token for injecting the client as the semantic engine's FactSource. */
export const FACT_SOURCE = Symbol('CLARITY_FACT_SOURCE');

/**
 * Global module providing the ArchivistClient (inject the class, or
 * FACT_SOURCE). Without ARCHIVIST_URL it first starts the embedded Archivist
 * on a loopback port. Registers the 'archivist' and 'cache' health probes.
 * Needs ConfigModule, LoggingModule, MetricsModule and HealthModule (global).
 */
@Global()
@Module({
  imports: [RedisModule],
  providers: [
    ArchivistRuntime,
    {
      provide: ArchivistClient,
      inject: [ArchivistRuntime],
      useFactory: (runtime: ArchivistRuntime) => runtime.start(),
    },
    { provide: FACT_SOURCE, useExisting: ArchivistClient },
  ],
  exports: [ArchivistClient, FACT_SOURCE],
})
export class ArchivistModule {}
