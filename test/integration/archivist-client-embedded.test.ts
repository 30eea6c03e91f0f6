import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import winston from 'winston';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import { ArchivistModule } from '../../src/archivist/archivist.module.js';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ANYTHING, Category, RelationType } from '../../src/gellish/gellish-uids.js';
import { HealthModule } from '../../src/health/health.module.js';
import { HealthRegistry } from '../../src/health/health-registry.js';
import { LoggingModule } from '../../src/logging/logging.module.js';
import { MetricsModule } from '../../src/metrics/metrics.module.js';
import { RedisModule } from '../../src/redis/redis.module.js';
import { RedisService } from '../../src/redis/redis.service.js';
import { deleteKeys, redisReachable } from '../support/archivist-redis.js';

describe('ArchivistClient against the embedded Archivist', () => {
  let server: ArchivistServer;
  let client: ArchivistClient;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archivist-client-'));
    server = await startArchivistServer({
      dataFiles: bundledKnowledgeBasePaths(),
      journalFile: join(dir, 'journal.jsonl'),
      logger: silentLogger,
    });
    client = new ArchivistClient({ baseUrl: server.url, timeoutMs: 5000, retryAttempts: 2 });
  });
  after(async () => {
    await client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reads the bundled knowledge base through the HTTP contract', async () => {
    assert.equal(await client.entityType(Category.PHYSICAL_OBJECT), 'kind');
    assert.equal(await client.entityCategory(Category.PHYSICAL_OBJECT), 'physical object');
    const definitive = await client.definitiveFacts(Category.PHYSICAL_OBJECT);
    assert.ok(definitive.length > 0);
    for (const fact of definitive) {
      assert.equal(fact.lh_object_uid, Category.PHYSICAL_OBJECT);
      assert.ok(Number.isInteger(fact.fact_uid) && Number.isInteger(fact.rh_object_uid));
    }
    const cone = await client.subtypesCone(RelationType.ASPECT_POSSESSION);
    assert.ok(cone.every((f) => f.rel_type_uid === RelationType.SPECIALIZATION));
    const related = await client.allRelatedFacts(Category.PHYSICAL_OBJECT);
    assert.ok(
      related.every(
        (f) => f.lh_object_uid === Category.PHYSICAL_OBJECT || f.rh_object_uid === Category.PHYSICAL_OBJECT,
      ),
    );
    const [first] = definitive;
    assert.deepEqual(await client.fact(first.fact_uid), first);
    const found = await client.search(first.lh_object_name, true);
    assert.ok(found.some((f) => f.lh_object_uid === Category.PHYSICAL_OBJECT));
    assert.deepEqual(await client.allRelatedFacts(987654321987), []);
    assert.equal(await client.entityType(987654321987), null);
    assert.equal(await client.ping(), true);
  });

  test('collapses concurrent reads and caches them (counted by the server)', async () => {
    server.stats.reset();
    await Promise.all(Array.from({ length: 20 }, () => client.classified(Category.ASPECT)));
    await client.classified(Category.ASPECT);
    assert.equal(server.stats.count('/fact/classified'), 1);
  });

  test('a submitted name is applied and the next read sees it', async () => {
    const [fact] = await client.definitiveFacts(Category.ROLE);
    const heard: number[] = [];
    client.onInvalidate((uids) => heard.push(...uids));
    const updated = await client.submitName({ fact_uid: fact.fact_uid, name: `${fact.lh_object_name} (renamed)` });
    assert.equal(updated?.lh_object_name, `${fact.lh_object_name} (renamed)`);
    assert.ok(heard.includes(Category.ROLE));
    const [again] = await client.definitiveFacts(Category.ROLE);
    assert.equal(again.lh_object_name, `${fact.lh_object_name} (renamed)`);
  });
});

/** A db index of its own: the module uses the default key prefix, which running instances share on db 0. */
const MODULE_TEST_REDIS_URL = 'redis://127.0.0.1:6379/14';

describe('ArchivistModule (Nest)', async () => {
  const redisUp = await redisReachable();
  const quietLogger = winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });

  const boot = async (env: Record<string, string>) => {
    const config = loadConfig({ NODE_ENV: 'test', ...env }, { dotenvPath: null });
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(quietLogger),
        MetricsModule,
        HealthModule,
        RedisModule,
        ArchivistModule,
      ],
    })
    class TestModule {}
    return NestFactory.createApplicationContext(TestModule, { logger: false, abortOnError: false });
  };

  test('without ARCHIVIST_URL it starts the embedded Archivist, serves over HTTP, and stops it on shutdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'archivist-module-'));
    try {
      const app = await boot({ ARCHIVIST_JOURNAL: join(dir, 'nested', 'journal.jsonl') });
      let baseUrl: string;
      try {
        const client = app.get(ArchivistClient);
        baseUrl = client.options.baseUrl;
        assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(await client.entityType(Category.PHYSICAL_OBJECT), 'kind');
        assert.ok((await client.allRelatedFacts(ANYTHING)).length > 0);
        const health = app.get(HealthRegistry);
        assert.equal(await health.probe('archivist')?.(), 'available');
        assert.equal(await health.probe('cache')?.(), 'disabled');
      } finally {
        await app.close();
      }
      const probe = new ArchivistClient({ baseUrl, timeoutMs: 1000, retryAttempts: 0 });
      assert.equal(await probe.ping(), false, 'the embedded Archivist is closed with the application');
      await probe.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test(
    'with REDIS_URL the cache probe reports the Redis connection',
    { skip: !redisUp && 'Redis on 127.0.0.1:6379 is not reachable' },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'archivist-module-'));
      try {
        const app = await boot({ ARCHIVIST_JOURNAL: join(dir, 'journal.jsonl'), REDIS_URL: MODULE_TEST_REDIS_URL });
        const redis = app.get(RedisService);
        try {
          assert.equal(redis.isEnabled, true);
          const health = app.get(HealthRegistry);
          const deadline = Date.now() + 5000;
          while (redis.client?.status !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          assert.equal(await health.probe('cache')?.(), 'connected');
          assert.equal(await redis.client?.ping(), 'PONG', 'the service holds a connected Redis client');
          const client = app.get(ArchivistClient);
          assert.ok((await client.definitiveFacts(Category.OCCURRENCE)).length > 0);
        } finally {
          await app.close();
        }
        assert.equal(redis.client?.status, 'end', 'Redis connections are closed on shutdown');
      } finally {
        await deleteKeys(MODULE_TEST_REDIS_URL, 'clarity:archivist:');
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
