import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import winston from 'winston';
import { ArchivistClient } from '../../src/archivist/archivist-client.js';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import { Category } from '../../src/gellish/gellish-uids.js';
import { ModelUpdateService } from '../../src/semantic/model-update.service.js';
import { SemanticModelService } from '../../src/semantic/semantic-model.service.js';
import { LOCAL_REDIS_URL, cacheConnections, deleteKeys, redisReachable } from '../support/archivist-redis.js';
import { waitFor } from '../support/archivist-test-kit.js';

type ChangeLog = ConstructorParameters<typeof ModelUpdateService>[2];

/**
 * One update is one invalidation: the in-process caches and the engine's memo are
 * told once (one onInvalidate call) and the other replicas once (one message on the
 * Redis invalidation channel).
 */
describe('an update of a model invalidates the caches exactly once', async () => {
  const redisUp = await redisReachable();
  const prefix = `test:update-invalidation:${randomUUID()}:`;
  const logger = winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
  const changeLog = { record: async () => undefined } as unknown as ChangeLog;
  let server: ArchivistServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'update-invalidation-'));
    server = await startArchivistServer({
      dataFiles: bundledKnowledgeBasePaths(),
      journalFile: join(dir, 'journal.jsonl'),
      logger: silentLogger,
    });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
    if (redisUp) await deleteKeys(LOCAL_REDIS_URL, prefix);
  });

  /** Renames the entity through ModelUpdateService and counts what the update invalidated. */
  const renameAndCount = async (uid: number, redis?: ReturnType<typeof cacheConnections>) => {
    const client = new ArchivistClient({
      baseUrl: server.url,
      timeoutMs: 5000,
      retryAttempts: 1,
      redis: redis && { client: redis.client, subscriber: redis.subscriber, keyPrefix: prefix },
    });
    const models = new SemanticModelService(client, logger);
    const updates = new ModelUpdateService(client, models, changeLog, logger);
    const heard: number[][] = [];
    client.onInvalidate((uids) => heard.push([...uids]));
    try {
      const before = await models.getModel(uid);
      const name = `${before.name} (renamed ${randomUUID().slice(0, 8)})`;
      const answer = await updates.updateName('tester', { uid, name });
      assert.equal(answer.updated, true);
      assert.equal((await models.getModel(uid)).name, name, 'the cached model was dropped');
      return heard;
    } finally {
      await client.close();
    }
  };

  test('in process: the local caches and the engine memo are invalidated once', async () => {
    const heard = await renameAndCount(Category.ROLE);
    assert.equal(heard.length, 1, `one invalidation, got ${JSON.stringify(heard)}`);
    assert.ok(heard[0].includes(Category.ROLE), 'it names the entity');
  });

  test(
    'with Redis: one message to the other replicas',
    { skip: !redisUp && 'Redis on 127.0.0.1:6379 is not reachable' },
    async () => {
      const redis = cacheConnections(LOCAL_REDIS_URL);
      const listener = new Redis(LOCAL_REDIS_URL);
      listener.on('error', () => undefined);
      const messages: string[] = [];
      listener.on('message', (_channel: string, message: string) => messages.push(message));
      try {
        await listener.subscribe(`${prefix}invalidate`);
        await waitFor(() => redis.client.status === 'ready', 'the Redis connection');
        const heard = await renameAndCount(Category.ASPECT, redis);
        await waitFor(() => messages.length > 0, 'the invalidation message');
        // Redis delivers in the order it ran the PUBLISHes: after this marker, no message of the update is on its way.
        await redis.client.publish(`${prefix}invalidate`, 'marker');
        await waitFor(() => messages.includes('marker'), 'the marker');
        const invalidations = messages.filter((m) => m !== 'marker');
        assert.equal(invalidations.length, 1, `one broadcast, got ${JSON.stringify(invalidations)}`);
        assert.ok((JSON.parse(invalidations[0]) as { deps: string[] }).deps.includes(String(Category.ASPECT)));
        assert.equal(heard.length, 1, 'and one local invalidation');
      } finally {
        listener.disconnect();
        redis.close();
      }
    },
  );

  test('a rename also refreshes what mentions the entity: subtypes, instances, ancestors, related lists', async () => {
    const CENTRIFUGAL_PUMP = 2001002;
    const MULTISTAGE = 2001003; // subtype of centrifugal pump
    const P_101 = 2100001; // classified as a centrifugal pump
    const PUMP = 2001001; // supertype of centrifugal pump
    const client = new ArchivistClient({ baseUrl: server.url, timeoutMs: 5000, retryAttempts: 1 });
    const models = new SemanticModelService(client, logger);
    const updates = new ModelUpdateService(client, models, changeLog, logger);
    const namesOf = (
      facts: ReadonlyArray<{
        lh_object_uid: number;
        lh_object_name: string;
        rh_object_uid: number;
        rh_object_name: string;
      }>,
    ) =>
      new Set(
        facts.flatMap((f) => [
          ...(f.lh_object_uid === CENTRIFUGAL_PUMP ? [f.lh_object_name] : []),
          ...(f.rh_object_uid === CENTRIFUGAL_PUMP ? [f.rh_object_name] : []),
        ]),
      );
    try {
      const name = `radial pump ${randomUUID().slice(0, 8)}`;
      // warm every cache that shows the old name
      const warm = [await models.getModel(MULTISTAGE), await models.getModel(P_101)];
      for (const model of warm) assert.ok(namesOf(model.facts ?? []).has('centrifugal pump'));
      assert.ok(namesOf(await client.subtypesCone(PUMP)).has('centrifugal pump'));
      assert.ok(namesOf((await models.getFactsByEntity(PUMP, { limit: 5000 })).items).has('centrifugal pump'));

      await updates.updateName('tester', { uid: CENTRIFUGAL_PUMP, name });

      for (const uid of [MULTISTAGE, P_101]) {
        const facts = (await models.getModel(uid)).facts ?? [];
        assert.deepEqual([...namesOf(facts)], [name], `the model of ${uid} shows the new name`);
      }
      assert.deepEqual([...namesOf(await client.subtypesCone(PUMP))], [name], "the ancestor's subtype cone");
      assert.deepEqual(
        [...namesOf((await models.getFactsByEntity(PUMP, { limit: 5000 })).items)],
        [name],
        "the supertype's facts",
      );
    } finally {
      await client.close();
    }
  });
});
