import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import {
  bundledKnowledgeBasePaths,
  silentLogger,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import {
  createTestDatabase,
  databaseEnv,
  mintToken,
  realPostgres,
  startClarityProcess,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { connect, nextEvent, request } from '../support/socket-client.js';

/**
 * `clarity.model/create` (spec §3) end to end: a started Clarity with its embedded
 * Archivist (over HTTP), real PostgreSQL (idempotency keys, change log) and real
 * Socket.IO clients.
 */
const CENTRIFUGAL_PUMP = 2001002; // bundled KB: "centrifugal pump", supertype of "multistage centrifugal pump"
const P_101 = 2100001; // an individual: "P-101 is classified as a centrifugal pump"
const PUMP = 2001001;

describe('clarity.model/create', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;
  let alice: Socket;
  let watcher: Socket;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, WS_RATE_LIMIT: '1000' });
    alice = await connect(clarity.url, { token: await mintToken('alice') });
    watcher = await connect(clarity.url, { token: await mintToken('watcher') });
  });

  after(async () => {
    alice?.close();
    watcher?.close();
    assert.equal((await clarity.stop()).code, 0, clarity.output());
    await cleanup();
  });

  const create = (payload: Record<string, unknown>, socket = alice) =>
    request(socket, 'clarity.model/create', payload, 60_000);

  /** Subtypes of `supertype` named `name` (case-insensitively), as the graph holds them now. */
  const subtypesNamed = async (supertype: number, name: string): Promise<number[]> => {
    const page = await request(alice, 'clarity.facts/get-by-entity', { uid: supertype });
    const facts: Array<{ rh_object_uid: number; rel_type_uid: number; lh_object_name: string; lh_object_uid: number }> =
      page.data.items ?? page.data;
    return facts
      .filter(
        (f) =>
          f.rh_object_uid === supertype &&
          f.rel_type_uid === 1146 &&
          f.lh_object_name.toLowerCase() === name.toLowerCase(),
      )
      .map((f) => f.lh_object_uid);
  };

  test('creates a kind below the supertype: its model at once, a change-log row, subscribers of the supertype told', async () => {
    const subscribed = await request(watcher, 'clarity.model/subscribe', { uid: CENTRIFUGAL_PUMP });
    assert.equal(subscribed.success, true);
    // warm the supertype's caches, so a stale cache would show
    assert.equal((await request(alice, 'clarity.model/get', { uid: CENTRIFUGAL_PUMP })).success, true);
    const before = await subtypesNamed(CENTRIFUGAL_PUMP, 'end suction pump');
    assert.deepEqual(before, []);

    const announced = nextEvent(watcher, 'clarity.model/updated');
    const created = await create({
      name: 'end suction pump',
      supertype_uid: CENTRIFUGAL_PUMP,
      full_definition: 'is a centrifugal pump whose suction nozzle is on the end of the casing',
      partial_definition: 'whose suction nozzle is on the end of the casing',
      collection_uid: 2000901,
      collection_name: 'process plant equipment demonstration',
    });
    assert.equal(created.success, true, JSON.stringify(created));
    const model = created.data;
    assert.ok(Number.isSafeInteger(model.uid) && model.uid > 100, `permanent uid, got ${model.uid}`);
    assert.equal(model.name, 'end suction pump');
    assert.equal(model.nature, 'kind');
    assert.equal(model.category, 'physical object');
    assert.deepEqual(model.supertypes, [CENTRIFUGAL_PUMP]);
    assert.equal(
      model.definitions[0].full_definition,
      'is a centrifugal pump whose suction nozzle is on the end of the casing',
    );
    assert.deepEqual(model.collection, { uid: 2000901, name: 'process plant equipment demonstration' });

    const event = await announced;
    const payload = event.payload ?? event;
    assert.equal(payload.uid, CENTRIFUGAL_PUMP);
    assert.equal(payload.change.field, 'created');
    assert.equal(payload.change.newValue.uid, model.uid);
    assert.equal(payload.change.changedBy, 'alice');

    // served at once, and the supertype's facts list the new subtype
    const got = await request(watcher, 'clarity.kind/get', { uid: model.uid });
    assert.equal(got.success, true, JSON.stringify(got));
    assert.equal(got.data.name, 'end suction pump');
    assert.deepEqual(await subtypesNamed(CENTRIFUGAL_PUMP, 'end suction pump'), [model.uid]);

    const history = await request(alice, 'clarity.model/history', { uid: model.uid });
    assert.equal(history.success, true);
    assert.equal(history.data.length, 1);
    assert.equal(history.data[0].field, 'created');
    assert.equal(history.data[0].changedBy, 'alice');
    assert.equal(history.data[0].newValue.supertype_uid, CENTRIFUGAL_PUMP);
  });

  test('the same idempotencyKey again returns the first result and creates nothing, also when sent concurrently', async () => {
    const idempotencyKey = randomUUID();
    const payload = { name: 'inline pump', supertype_uid: PUMP, full_definition: 'is a pump in line', idempotencyKey };
    const first = await create(payload);
    assert.equal(first.success, true, JSON.stringify(first));
    const again = await create(payload);
    assert.equal(again.success, true, JSON.stringify(again));
    assert.equal(again.data.uid, first.data.uid);
    assert.deepEqual(await subtypesNamed(PUMP, 'inline pump'), [first.data.uid]);

    // concurrent duplicates, from two sockets of the same user: one creation
    const other = await connect(clarity.url, { token: await mintToken('alice') });
    try {
      const key = randomUUID();
      const same = {
        name: 'vertical pump',
        supertype_uid: PUMP,
        full_definition: 'is a pump standing',
        idempotencyKey: key,
      };
      const answers = await Promise.all([create(same), create(same, other), create(same), create(same, other)]);
      for (const answer of answers) assert.equal(answer.success, true, JSON.stringify(answer));
      assert.equal(new Set(answers.map((a) => a.data.uid)).size, 1);
      assert.deepEqual(await subtypesNamed(PUMP, 'vertical pump'), [answers[0]!.data.uid]);
    } finally {
      other.close();
    }

    // the same key with other parameters is refused; another user's same key is their own
    const misuse = await create({ ...payload, name: 'something else' });
    assert.equal(misuse.code, 'CONFLICT');
    assert.match(misuse.error ?? '', /idempotencyKey .* different request/);
    const bob = await connect(clarity.url, { token: await mintToken('bob') });
    try {
      const bobs = await create({ ...payload, name: 'bobs pump' }, bob);
      assert.equal(bobs.success, true, JSON.stringify(bobs));
      assert.notEqual(bobs.data.uid, first.data.uid);
    } finally {
      bob.close();
    }
  });

  test('20 concurrent creates of different names under one supertype all succeed with distinct uids', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        create({ name: `booster pump ${i}`, supertype_uid: CENTRIFUGAL_PUMP, full_definition: `is booster ${i}` }),
      ),
    );
    for (const answer of answers) assert.equal(answer.success, true, JSON.stringify(answer));
    const uids = answers.map((a) => a.data.uid);
    assert.equal(new Set(uids).size, 20);
    for (let i = 0; i < 20; i++) assert.equal(answers[i]!.data.name, `booster pump ${i}`);
  });

  test('a sibling of the same name (case and spacing aside) is CONFLICT; concurrent same-name creates make one kind', async () => {
    const clash = await create({
      name: '  Multistage   Centrifugal PUMP ',
      supertype_uid: CENTRIFUGAL_PUMP,
      full_definition: 'again',
    });
    assert.equal(clash.code, 'CONFLICT', JSON.stringify(clash));
    assert.match(clash.error ?? '', /multistage centrifugal pump.*2001003.*already exists under supertype 2001002/);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        create({ name: 'twin pump', supertype_uid: CENTRIFUGAL_PUMP, full_definition: 'is a twin' }),
      ),
    );
    assert.deepEqual(answers.map((a) => (a.success ? 'ok' : a.code)).sort(), [
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'ok',
    ]);
    assert.equal((await subtypesNamed(CENTRIFUGAL_PUMP, 'twin pump')).length, 1);
    // the same name under another supertype is no sibling
    const elsewhere = await create({ name: 'twin pump', supertype_uid: PUMP, full_definition: 'is a twin' });
    assert.equal(elsewhere.success, true, JSON.stringify(elsewhere));
  });

  test('a bad supertype or bad parameters are refused and create nothing', async () => {
    const missing = await create({ name: 'ghost', supertype_uid: 99999999, full_definition: 'x' });
    assert.equal(missing.code, 'NOT_FOUND');
    assert.equal(missing.error, 'Entity with UID 99999999 not found');
    const individual = await create({ name: 'ghost', supertype_uid: P_101, full_definition: 'x' });
    assert.equal(individual.code, 'WRONG_NATURE');
    assert.match(individual.error ?? '', /UID 2100001 is an individual, not a kind/);

    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ supertype_uid: PUMP, full_definition: 'x' }, /Required parameter 'name' not provided/],
      [{ name: '   ', supertype_uid: PUMP, full_definition: 'x' }, /Parameter 'name' must not be blank/],
      [{ name: 'x', full_definition: 'x' }, /Required parameter 'supertype_uid' not provided/],
      [{ name: 'x', supertype_uid: -3, full_definition: 'x' }, /Parameter 'supertype_uid' must be a positive integer/],
      [{ name: 'x', supertype_uid: PUMP }, /Required parameter 'full_definition' not provided/],
      [
        { name: 'x', supertype_uid: PUMP, full_definition: 'x', idempotencyKey: 'abc' },
        /idempotencyKey' must be a UUID/,
      ],
      [
        { name: 'x', supertype_uid: PUMP, full_definition: 'x', collection_uid: 5 },
        /'collection_uid' and 'collection_name' must be given together/,
      ],
      [{ name: 'x'.repeat(256), supertype_uid: PUMP, full_definition: 'x' }, /Parameter 'name' must be 1..255/],
    ];
    for (const [payload, message] of cases) {
      const answer = await create(payload);
      assert.equal(answer.code, 'BAD_REQUEST', JSON.stringify(payload));
      assert.match(answer.error ?? '', message);
    }
    assert.deepEqual(await subtypesNamed(P_101, 'ghost'), []);
    // the alias works too
    const alias = await request(alice, 'clarity/model-create', {
      name: 'alias pump',
      supertype_uid: PUMP,
      full_definition: 'is made by the alias',
    });
    assert.equal(alias.success, true, JSON.stringify(alias));
  });
});

describe(
  'clarity.model/create across replicas and restarts',
  { skip: realPostgres() ? false : 'needs POSTGRES_HOST (one database for two replicas)' },
  () => {
    let archivist: ArchivistServer;
    let database: { name: string; drop(): Promise<void> };
    let replicas: ClarityProcess[] = [];
    let env: Record<string, string>;

    before(async () => {
      archivist = await startArchivistServer({ dataFiles: bundledKnowledgeBasePaths(), logger: silentLogger });
      database = await createTestDatabase('create_replicas');
      const pgServer = realPostgres()!;
      env = {
        POSTGRES_HOST: pgServer.host,
        POSTGRES_PORT: String(pgServer.port),
        POSTGRES_USER: pgServer.user,
        POSTGRES_DB: database.name,
        ARCHIVIST_URL: archivist.url,
        WS_RATE_LIMIT: '1000',
      };
      replicas = [await startClarityProcess(env)];
      replicas.push(await startClarityProcess(env)); // after the first: migrations ran
    });

    after(async () => {
      for (const replica of replicas) await replica.stop();
      await database?.drop();
      await archivist?.close();
    });

    const PUMP_UID = 2001001;
    const kindsNamed = (name: string) =>
      archivist.store.subtypesCone(PUMP_UID).filter((f) => f.lh_object_name === name && f.rh_object_uid === PUMP_UID);

    test('one idempotencyKey sent to two replicas at once creates one kind; after a restart it still answers the first result', async () => {
      const sockets = await Promise.all(replicas.map(async (r) => connect(r.url, { token: await mintToken('carol') })));
      try {
        const payload = {
          name: 'replicated pump',
          supertype_uid: PUMP_UID,
          full_definition: 'is a pump made twice at once',
          idempotencyKey: randomUUID(),
        };
        const answers = await Promise.all(
          [0, 1, 0, 1].map((i) => request(sockets[i]!, 'clarity.model/create', payload, 60_000)),
        );
        for (const answer of answers) assert.equal(answer.success, true, JSON.stringify(answer));
        assert.equal(new Set(answers.map((a) => a.data.uid)).size, 1);
        assert.equal(kindsNamed('replicated pump').length, 1);

        // the same name without a key, at once on both replicas: one kind, the other CONFLICT
        const racing = await Promise.all(
          [0, 1].map((i) =>
            request(
              sockets[i]!,
              'clarity.model/create',
              { name: 'raced pump', supertype_uid: PUMP_UID, full_definition: 'x' },
              60_000,
            ),
          ),
        );
        assert.deepEqual(racing.map((a) => (a.success ? 'ok' : a.code)).sort(), ['CONFLICT', 'ok']);
        assert.equal(kindsNamed('raced pump').length, 1);

        // a restarted replica honours the key (it lives in PostgreSQL)
        for (const socket of sockets) socket.close();
        await replicas[0]!.stop();
        replicas[0] = await startClarityProcess(env);
        const again = await connect(replicas[0].url, { token: await mintToken('carol') });
        try {
          const repeat = await request(again, 'clarity.model/create', payload, 60_000);
          assert.equal(repeat.success, true, JSON.stringify(repeat));
          assert.equal(repeat.data.uid, answers[0]!.data.uid);
          assert.equal(kindsNamed('replicated pump').length, 1);
        } finally {
          again.close();
        }
      } finally {
        for (const socket of sockets) socket.close();
      }
    });
  },
);
