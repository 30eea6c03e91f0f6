import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { HealthModule } from '../health/health.module.js';
import { ArchivistClient } from './archivist-client.js';
import { ArchivistRuntime } from './archivist-runtime.js';

/**
 * Provides the ArchivistClient. Without ARCHIVIST_URL it first
 * starts the embedded Archivist on a loopback port. Registers the 'archivist'
 * and 'cache' health probes.
 * Needs the global ConfigModule, LoggingModule and MetricsModule.
 */
@Module({
  imports: [RedisModule, HealthModule],
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
