import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { HealthRegistry } from '../health/health-registry.js';
import { RedisService } from '../redis/redis.service.js';
import { bundledKnowledgeBasePaths, startArchivistServer, type ArchivistServer } from '../archivist-server/index.js';
import { ArchivistClient } from './archivist-client.js';
import { cacheBudget } from '../config/cache-budget.js';

/**
 * Starts what the Archivist client needs and stops it in the right order: the
 * embedded Archivist (when no ARCHIVIST_URL is configured) on a loopback
 * ephemeral port, then the client talking to it over HTTP; on shutdown the
 * client first, the embedded server after it.
 */
@Injectable()
export class ArchivistRuntime implements OnApplicationShutdown {
  private client?: ArchivistClient;
  private embedded?: ArchivistServer;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    private readonly health: HealthRegistry,
    private readonly redis: RedisService,
  ) {}

  async start(): Promise<ArchivistClient> {
    const { archivist, cache } = this.config;
    let baseUrl = archivist.url;
    if (!baseUrl) {
      const dataFiles = archivist.dataFiles.length > 0 ? archivist.dataFiles : bundledKnowledgeBasePaths();
      await mkdir(dirname(archivist.journalFile), { recursive: true });
      const log = (level: 'info' | 'warn' | 'error') => (message: string) =>
        this.logger[level](message, { context: 'EmbeddedArchivist' });
      this.embedded = await startArchivistServer({
        dataFiles,
        host: '127.0.0.1',
        port: 0,
        journalFile: archivist.journalFile,
        logger: { info: log('info'), warn: log('warn'), error: log('error') },
      });
      baseUrl = this.embedded.url;
      this.logger.info(
        `Embedded Archivist on ${baseUrl} (${this.embedded.store.size} facts from ${dataFiles.length} table(s))`,
        { context: 'ArchivistModule' },
      );
    }

    const client = new ArchivistClient({
      baseUrl,
      timeoutMs: archivist.timeoutMs,
      retryAttempts: archivist.retryAttempts,
      cache: {
        maxEntries: cache.maxEntries,
        ttlSeconds: cache.ttlSeconds,
        maxBytes: cacheBudget(cache.maxMb).archivistBytes,
      },
      redis: this.redis.client ? { client: this.redis.client, subscriber: this.redis.createSubscriber() } : undefined,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.client = client;
    this.metrics.trackCacheBytes('archivist', () => client.cacheBytes());
    this.health.register('archivist', () => client.healthStatus());
    this.health.register('cache', () => client.cacheStatus());
    this.logger.info(
      `Archivist client for ${baseUrl} (timeout ${archivist.timeoutMs} ms, ${archivist.retryAttempts} retries, ` +
        `cache ${this.redis.isEnabled ? 'in-process + Redis' : 'in-process'})`,
      { context: 'ArchivistModule' },
    );
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
    if (this.embedded) {
      await this.embedded.close();
      this.embedded = undefined;
      this.logger.info('Embedded Archivist stopped', { context: 'ArchivistModule' });
    }
  }
}
