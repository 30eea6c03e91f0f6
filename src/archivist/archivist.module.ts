import { Global, Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { ArchivistClient } from './archivist-client.js';
import { ArchivistRuntime } from './archivist-runtime.js';

/**
 * Global module providing the ArchivistClient. Without ARCHIVIST_URL it first
 * starts the embedded Archivist on a loopback port. Registers the 'archivist'
 * and 'cache' health probes.
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
  ],
  exports: [ArchivistClient],
})
export class ArchivistModule {}
