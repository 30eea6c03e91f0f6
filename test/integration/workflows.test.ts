import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { silentLogger, startArchivistServer, type ArchivistServer } from '../../src/archivist-server/index.js';
import { WorkflowCatalog } from '../../src/workflows/workflow-catalog.js';
import { WORKFLOW_DEFINITIONS } from '../../src/workflows/workflow-definitions.js';
import { WorkflowMachine } from '../../src/workflows/workflow-machine.js';
import type { WorkflowState } from '../../src/workflows/workflow-state.js';
import {
  databaseEnv,
  mintToken,
  realPostgres,
  startClarityProcess,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { FakeOpenAiServer } from '../support/fake-openai-server.js';
import { topiniPath } from '../support/gellish-tables.js';
import { startLossyHttpProxy } from '../support/lossy-http-proxy.js';
import { connect, nextEvent, request, type Envelope } from '../support/socket-client.js';

/**
 * Guided modelling workflows (spec §9) end to end on the real Gellish upper
 * ontology: the embedded Archivist loaded from TOPini (with a journal) over HTTP,
 * two Clarity processes on one PostgreSQL database, real Socket.IO clients.
 */
const topini = topiniPath();
const skip = existsSync(topini) ? false : `TOPini not found at ${topini}`;
if (skip) console.warn(`Skipping the workflow tests: ${skip}`);

// TOPini uids
const ARTEFACT = 730063; // artefact < physical object
const SOLID_ITEM = 730019; // solid item < physical object
const QUALITY = 551008; // quality < aspect
const PROCESS = 193424; // process < performance < occurrence
const UNKNOWN = 987654321;

describe('guided modelling workflows on TOPini', { skip }, () => {
  let archivist: ArchivistServer;
  let journalFile: string;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let a: ClarityProcess;
  let b: ClarityProcess;
  let alice: Socket;
  let aliceOnB: Socket;
  let bob: Socket;
  let watcher: Socket;

  const posts = () => archivist.stats.count('/fact/facts');
  const wf = (socket: Socket, op: string, payload: Record<string, unknown>): Promise<Envelope> =>
    request(socket, `clarity.workflow/${op}`, payload, 60_000);
  const ok = async (socket: Socket, op: string, payload: Record<string, unknown>) => {
    const answer = await wf(socket, op, payload);
    assert.equal(answer.success, true, `${op} ${JSON.stringify(payload)}: ${JSON.stringify(answer)}`);
    return answer.data;
  };
  const refused = async (socket: Socket, op: string, payload: Record<string, unknown>, code: string) => {
    const answer = await wf(socket, op, payload);
    assert.equal(answer.success, false, `${op} should fail: ${JSON.stringify(answer.data)}`);
    assert.equal(answer.code, code, `${op}: ${answer.error}`);
    return answer.error!;
  };
  const newSession = async (socket = alice): Promise<string> => {
    const created = await request(socket, 'clarity.session/create', { name: `workflow ${Math.random()}` });
    assert.equal(created.success, true, JSON.stringify(created));
    return created.data.id;
  };
  const unique = (name: string) => `${name} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  /** new-physical-object up to its last step, with a new-qualitative-aspect child; answers the names used. */
  const driveToLastStep = async (sessionId: string, socket = alice) => {
    const names = { concept: unique('flow widget'), synonym: unique('flow gadget'), aspect: unique('widget red') };
    await ok(socket, 'start', { sessionId, workflowId: 'new-physical-object' });
    await ok(socket, 'set', { sessionId, field: 'New Concept', name: names.concept });
    await ok(socket, 'set', { sessionId, field: 'Supertype Concept', uid: ARTEFACT });
    await ok(socket, 'set', { sessionId, field: 'definition', name: 'is an artefact that guides a flow' });
    await ok(socket, 'next', { sessionId });
    await ok(socket, 'set', { sessionId, field: 'Syn', name: names.synonym });
    await ok(socket, 'next', { sessionId });
    const child = await ok(socket, 'branch', {
      sessionId,
      field: 'qualitative aspect',
      workflowId: 'new-qualitative-aspect',
    });
    assert.equal(child.workflowId, 'new-qualitative-aspect');
    assert.deepEqual(
      child.tree.map((t: { workflowId: string }) => t.workflowId),
      ['new-physical-object', 'new-qualitative-aspect'],
    );
    assert.equal(child.fields['New Concept'].name, names.concept, "the child sees the parent's fields");
    await ok(socket, 'set', { sessionId, field: 'qualitative aspect', name: names.aspect });
    await ok(socket, 'set', { sessionId, field: 'Conceptual Aspect', uid: QUALITY }); // an existing TOPini aspect
    const parent = await ok(socket, 'pop', { sessionId });
    assert.equal(parent.workflowId, 'new-physical-object');
    assert.equal(parent.fields['qualitative aspect'].name, names.aspect);
    await ok(socket, 'next', { sessionId }); // define-qualitative-aspect: left empty (the child defined it)
    await ok(socket, 'next', { sessionId });
    await ok(socket, 'set', { sessionId, field: 'Function', uid: PROCESS });
    await ok(socket, 'next', { sessionId });
    const last = await ok(socket, 'set', { sessionId, field: 'Part Object', uid: SOLID_ITEM });
    assert.equal(last.step.id, 'specify-defining-components-of-physical-object');
    return names;
  };

  const startClarity = () => startClarityProcess({ ...env, WS_RATE_LIMIT: '1000' });

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    journalFile = join(mkdtempSync(join(tmpdir(), 'clarity-workflows-')), 'journal.jsonl');
    archivist = await startArchivistServer({ dataFiles: [topini], journalFile, logger: silentLogger });
    env = { ...db.env, ARCHIVIST_URL: archivist.url };
    a = await startClarity();
    b = await startClarity();
    alice = await connect(a.url, { token: await mintToken('alice') });
    aliceOnB = await connect(b.url, { token: await mintToken('alice') });
    bob = await connect(a.url, { token: await mintToken('bob') });
    watcher = await connect(a.url, { token: await mintToken('watcher') });
  });

  after(async () => {
    for (const s of [alice, aliceOnB, bob, watcher]) s?.close();
    if (a) assert.equal((await a.stop()).code, 0, a.output());
    if (b) assert.equal((await b.stop()).code, 0, b.output());
    await archivist?.close();
    await cleanup?.();
  });

  test('clarity.workflow/list: the definitions with their steps, fields and patterns', async () => {
    const list = await ok(alice, 'list', {});
    const ids = list.workflows.map((w: { id: string }) => w.id);
    assert.deepEqual(ids, ['new-physical-object', 'new-qualitative-aspect', 'new-conceptual-aspect']);
    const physical = list.workflows[0];
    assert.deepEqual(
      physical.steps.map((s: { id: string; required: boolean }) => `${s.id}${s.required ? '*' : ''}`),
      [
        'define-supertype-physical-object*',
        'define-synonyms-codes-and-abbreviations',
        'specify-distinguishing-qualitative-aspects',
        'define-qualitative-aspect',
        'specify-intended-function',
        'specify-defining-components-of-physical-object',
      ],
    );
    assert.deepEqual(physical.steps[0].holds, [
      '?1.Supertype Concept > 1146.is a specialization of > 730044.physical object',
    ]);
  });

  test('new-physical-object from start to finalize: exactly the facts of §9, permanent uids, the new kind modelled, journaled', async () => {
    const sessionId = await newSession();
    assert.equal((await request(watcher, 'clarity.model/subscribe', { uid: ARTEFACT })).success, true);
    const names = await driveToLastStep(sessionId);

    const state = await ok(alice, 'state', { sessionId });
    assert.equal(state.status, 'in-progress');
    assert.equal(state.facts.length, 6);
    await refused(alice, 'finalize', { sessionId }, 'WORKFLOW_STATE'); // before validate
    const validated = await ok(alice, 'validate', { sessionId });
    assert.equal(validated.status, 'pending');

    const before = posts();
    const announced = nextEvent(watcher, 'clarity.model/updated', 60_000);
    const result = await ok(alice, 'finalize', { sessionId });
    assert.equal(posts(), before + 1, 'one submission');
    const created = Object.fromEntries(result.created.map((c: { field: string; uid: number }) => [c.field, c.uid]));
    const concept = created['New Concept'];
    const aspect = created['qualitative aspect'];
    assert.deepEqual(
      result.created.map((c: { field: string; name: string }) => [c.field, c.name]),
      [
        ['New Concept', names.concept],
        ['qualitative aspect', names.aspect],
      ],
    );
    for (const uid of [concept, aspect]) assert.ok(uid > 100, `permanent uid, got ${uid}`);
    const shape = result.facts.map((f: Record<string, unknown>) => [
      f.lh_object_uid,
      f.lh_object_name,
      f.rel_type_uid,
      f.rh_object_uid,
      f.rh_object_name,
    ]);
    assert.deepEqual(shape, [
      [concept, names.concept, 1146, ARTEFACT, 'artefact'],
      [concept, names.synonym, 1981, concept, names.concept],
      [concept, names.concept, 5283, aspect, names.aspect],
      [concept, names.concept, 5536, PROCESS, 'process'],
      [SOLID_ITEM, 'solid item', 1190, concept, names.concept],
      [aspect, names.aspect, 1726, QUALITY, 'quality'],
    ]);
    assert.equal(result.facts[0].full_definition, 'is an artefact that guides a flow');
    for (const f of result.facts) assert.ok(f.fact_uid > 100);

    const event = await announced;
    assert.equal(event.payload.uid, ARTEFACT);
    assert.equal(event.payload.change.field, 'created');
    assert.equal(event.payload.change.changedBy, 'alice');

    // finalize again: the same answer, nothing submitted
    const again = await ok(aliceOnB, 'finalize', { sessionId });
    assert.deepEqual(again, result);
    assert.equal(posts(), before + 1, 'nothing submitted again');
    assert.equal((await ok(alice, 'state', { sessionId })).status, 'completed');

    // the new kind's model
    const model = (await request(alice, 'clarity.model/get', { uid: concept })).data;
    assert.equal(model.name, names.concept);
    assert.equal(model.nature, 'kind');
    assert.equal(model.category, 'physical object');
    assert.deepEqual(model.supertypes, [ARTEFACT]);
    assert.ok(model.synonyms.includes(names.synonym), JSON.stringify(model.synonyms));
    assert.equal(model.definitions[0].full_definition, 'is an artefact that guides a flow');
    const mentions = (list: Array<{ uid: number }> | undefined, uid: number) => (list ?? []).some((e) => e.uid === uid);
    assert.ok(mentions(model.components, SOLID_ITEM), `components: ${JSON.stringify(model.components)}`);
    // the intended function (5536) and the qualitative aspect it is by definition (5283) are parts of its model
    assert.deepEqual(
      model.intendedFunctions.map((e: { uid: number; relation_uid: number }) => [e.uid, e.relation_uid]),
      [[PROCESS, 5536]],
    );
    assert.deepEqual(
      model.definingQualities.map((e: { uid: number; relation_uid: number }) => [e.uid, e.relation_uid]),
      [[aspect, 5283]],
    );
    const related = model.facts.map((f: { rel_type_uid: number; rh_object_uid: number }) => [
      f.rel_type_uid,
      f.rh_object_uid,
    ]);
    assert.ok(
      related.some(([rel, rh]: number[]) => rel === 5536 && rh === PROCESS),
      'and among its facts',
    );
    const aspectModel = (await request(alice, 'clarity.model/get', { uid: aspect })).data;
    assert.equal(aspectModel.nature, 'qualification');
    assert.equal(aspectModel.category, 'aspect');

    const history = await request(alice, 'clarity.model/history', { uid: concept });
    assert.equal(history.success, true);
    assert.equal(history.data.length, 5, 'a change-log row per fact naming the new kind');
    assert.ok(
      history.data.every(
        (row: { field: string; changedBy: string }) => row.field === 'created' && row.changedBy === 'alice',
      ),
    );
    const partHistory = await request(alice, 'clarity.model/history', { uid: SOLID_ITEM });
    assert.ok(
      partHistory.data.some(
        (row: { factUid?: number; fact_uid?: number; newValue: { fact: { rel_type_uid: number } } }) =>
          row.newValue?.fact?.rel_type_uid === 1190,
      ),
    );

    // the facts survive a restart of the embedded Archivist (journal)
    const port = archivist.port;
    await archivist.close();
    archivist = await startArchivistServer({ dataFiles: [topini], journalFile, port, logger: silentLogger });
    for (const f of result.facts) {
      const response = await fetch(`${archivist.url}/fact/fact?uid=${f.fact_uid}`);
      assert.equal(response.status, 200);
      const fact = (await response.json()) as { lh_object_uid: number; rh_object_uid: number };
      assert.equal(fact.lh_object_uid, f.lh_object_uid);
      assert.equal(fact.rh_object_uid, f.rh_object_uid);
    }
  });

  test('refusals: bad uid, wrong category, required field empty, wrong status, abandoned, another user', async () => {
    const sessionId = await newSession();
    await refused(alice, 'state', { sessionId }, 'WORKFLOW_STATE'); // no workflow yet
    await refused(alice, 'start', { sessionId, workflowId: 'no-such-workflow' }, 'BAD_REQUEST');
    await ok(alice, 'start', { sessionId, workflowId: 'new-physical-object' });
    await refused(alice, 'start', { sessionId, workflowId: 'new-physical-object' }, 'WORKFLOW_STATE');

    const notFound = await refused(
      alice,
      'set',
      { sessionId, field: 'Supertype Concept', uid: UNKNOWN },
      'BAD_REQUEST',
    );
    assert.match(notFound, /Field 'Supertype Concept': entity with UID 987654321 not found/);
    const wrong = await refused(alice, 'set', { sessionId, field: 'Supertype Concept', uid: QUALITY }, 'BAD_REQUEST');
    assert.match(wrong, /Field 'Supertype Concept'/);
    assert.match(wrong, /'\?1\.Supertype Concept > 1146\.is a specialization of > 730044\.physical object'/);

    await ok(alice, 'set', { sessionId, field: 'New Concept', name: unique('refusal widget') });
    const empty = await refused(alice, 'next', { sessionId }, 'BAD_REQUEST');
    assert.match(empty, /Required field 'Supertype Concept'/);
    await refused(alice, 'validate', { sessionId }, 'BAD_REQUEST');
    await refused(alice, 'finalize', { sessionId }, 'WORKFLOW_STATE');
    await refused(alice, 'pop', { sessionId }, 'WORKFLOW_STATE');

    // intended function must be an occurrence
    await ok(alice, 'set', { sessionId, field: 'Supertype Concept', uid: ARTEFACT });
    await ok(alice, 'set', { sessionId, field: 'definition', name: 'd' });
    for (let i = 0; i < 4; i++) await ok(alice, 'next', { sessionId });
    const notOccurrence = await refused(alice, 'set', { sessionId, field: 'Function', uid: SOLID_ITEM }, 'BAD_REQUEST');
    assert.match(notOccurrence, /Field 'Function'.*193671\.occurrence'/);

    // another user's session: as missing
    for (const op of ['state', 'next', 'finalize', 'abandon']) {
      const message = await refused(bob, op, { sessionId }, 'NOT_FOUND');
      assert.match(message, new RegExp(`Session ${sessionId} not found`));
    }
    await refused(bob, 'start', { sessionId, workflowId: 'new-physical-object' }, 'NOT_FOUND');

    const abandoned = await ok(alice, 'abandon', { sessionId });
    assert.equal(abandoned.status, 'abandoned');
    const before = posts();
    for (const [op, payload] of [
      ['set', { field: 'Function', uid: PROCESS }],
      ['next', {}],
      ['back', {}],
      ['branch', { field: 'Part Object', workflowId: 'new-physical-object' }],
      ['pop', {}],
      ['validate', {}],
      ['finalize', {}],
      ['abandon', {}],
    ] as const) {
      await refused(alice, op, { sessionId, ...payload }, 'WORKFLOW_STATE');
    }
    assert.equal(posts(), before, 'nothing written');
    // a new workflow may start in the session
    assert.equal((await ok(alice, 'start', { sessionId, workflowId: 'new-conceptual-aspect' })).status, 'in-progress');
  });

  test('concurrent sets from two sockets on two replicas: serialised by the session version, the losers get CONFLICT', async () => {
    const sessionId = await newSession();
    await ok(alice, 'start', { sessionId, workflowId: 'new-physical-object' });
    const versionBefore = (await request(alice, 'clarity.session/get', { id: sessionId })).data.version;
    const sends = Array.from({ length: 8 }, (_, i) =>
      wf(i % 2 === 0 ? alice : aliceOnB, 'set', { sessionId, field: 'New Concept', name: `concurrent ${i}` }),
    );
    const answers = await Promise.all(sends);
    const won = answers.filter((r) => r.success);
    const lost = answers.filter((r) => !r.success);
    assert.ok(won.length >= 1);
    for (const r of lost) assert.equal(r.code, 'CONFLICT', r.error);
    assert.ok(lost.length >= 1, 'concurrent writes from one version: at least one loses');
    const versionAfter = (await request(alice, 'clarity.session/get', { id: sessionId })).data.version;
    assert.equal(versionAfter, versionBefore + won.length, 'every win is one version, no lost update');
  });

  test('the state survives a restart of Clarity mid-workflow and is the same on the other replica', async () => {
    const sessionId = await newSession();
    await ok(alice, 'start', { sessionId, workflowId: 'new-physical-object' });
    await ok(alice, 'set', { sessionId, field: 'New Concept', name: 'restart widget' });
    await ok(alice, 'set', { sessionId, field: 'Supertype Concept', uid: ARTEFACT });
    const onA = await ok(alice, 'state', { sessionId });
    assert.deepEqual(await ok(aliceOnB, 'state', { sessionId }), onA);

    alice.close();
    assert.equal((await a.stop()).code, 0, a.output());
    a = await startClarity();
    alice = await connect(a.url, { token: await mintToken('alice') });
    assert.deepEqual(await ok(alice, 'state', { sessionId }), onA);
    // and goes on, on either replica
    await ok(aliceOnB, 'set', { sessionId, field: 'definition', name: 'survives' });
    const next = await ok(alice, 'next', { sessionId });
    assert.equal(next.stepIndex, 1);
    assert.equal(next.fields.definition.name, 'survives');
  });

  test('finalize whose answer from the Archivist is lost: read back, not resent; a request that never arrived is sent once', async () => {
    const proxy = await startLossyHttpProxy(archivist.url);
    const c = await startClarityProcess({ ...env, ARCHIVIST_URL: proxy.url, WS_RATE_LIMIT: '1000' });
    const socket = await connect(c.url, { token: await mintToken('alice') });
    try {
      // applied, answer lost
      const lostAnswer = await newSession(socket);
      const names = await driveToLastStep(lostAnswer, socket);
      await ok(socket, 'validate', { sessionId: lostAnswer });
      let before = posts();
      proxy.arm('after');
      const read = await ok(socket, 'finalize', { sessionId: lostAnswer });
      assert.equal(posts(), before + 1, 'sent once, found by reading back');
      assert.equal(read.facts.length, 6);
      assert.deepEqual(
        read.created.map((c: { field: string; name: string }) => [c.field, c.name]),
        [
          ['New Concept', names.concept],
          ['qualitative aspect', names.aspect],
        ],
      );
      assert.equal(read.facts[0].lh_object_uid, read.created[0].uid);
      assert.deepEqual(await ok(socket, 'finalize', { sessionId: lostAnswer }), read);
      assert.equal(posts(), before + 1);
      const history = await request(socket, 'clarity.model/history', { uid: read.created[0].uid });
      assert.equal(history.data.length, 5, 'its change-log rows, once');

      // never arrived: read back finds nothing, sent again once
      const lostRequest = await newSession(socket);
      await driveToLastStep(lostRequest, socket);
      await ok(socket, 'validate', { sessionId: lostRequest });
      before = posts();
      proxy.arm('before');
      const resent = await ok(socket, 'finalize', { sessionId: lostRequest });
      assert.equal(posts(), before + 1, 'the first attempt never reached the Archivist, the second did');
      assert.equal(resent.facts.length, 6);
    } finally {
      socket.close();
      assert.equal((await c.stop()).code, 0, c.output());
      await proxy.close();
    }
  });

  test('Clarity killed (SIGKILL) while its finalize waits for the Archivist: after a restart, finalize reads back and sends nothing', async () => {
    const proxy = await startLossyHttpProxy(archivist.url);
    const cEnv = { ...env, ARCHIVIST_URL: proxy.url, WS_RATE_LIMIT: '1000' };
    let c = await startClarityProcess(cEnv);
    let socket = await connect(c.url, { token: await mintToken('alice') });
    try {
      const sessionId = await newSession(socket);
      const names = await driveToLastStep(sessionId, socket);
      await ok(socket, 'validate', { sessionId });
      const before = posts();
      proxy.arm('hold');
      const inFlight = wf(socket, 'finalize', { sessionId });
      inFlight.catch(() => undefined); // it dies with the process
      await proxy.held(); // the Archivist applied the submission; its answer never reaches Clarity
      assert.equal(posts(), before + 1);
      socket.close();
      await c.stop('SIGKILL');

      c = await startClarityProcess(cEnv);
      socket = await connect(c.url, { token: await mintToken('alice') });
      const state = await ok(socket, 'state', { sessionId });
      assert.equal(state.status, 'pending', 'the recorded submission is still waiting for its answer');
      const result = await ok(socket, 'finalize', { sessionId });
      assert.equal(posts(), before + 1, 'read back, not sent again');
      assert.equal(result.facts.length, 6);
      assert.deepEqual(
        result.created.map((x: { field: string; name: string }) => [x.field, x.name]),
        [
          ['New Concept', names.concept],
          ['qualitative aspect', names.aspect],
        ],
      );
      const history = await request(socket, 'clarity.model/history', { uid: result.created[0].uid });
      assert.equal(history.data.length, 5, 'its change-log rows, once');
      assert.equal((await ok(socket, 'state', { sessionId })).status, 'completed');
    } finally {
      socket.close();
      assert.equal((await c.stop()).code, 0, c.output());
      await proxy.close();
    }
  });

  test('crash between sending and recording: the next finalize reads the submission back and submits nothing', async (t) => {
    const server = realPostgres();
    if (!server) {
      t.skip('needs the real PostgreSQL (POSTGRES_HOST) to write the session as the crashed process left it');
      return;
    }
    const sessionId = await newSession();
    const names = await driveToLastStep(sessionId);
    await ok(alice, 'validate', { sessionId });

    // What finalize does before it sends (record the submission in the session), then the
    // submission reaching the Archivist, then the process dying before it records the answer.
    const db = new pg.Client({ ...server, database: env.POSTGRES_DB });
    await db.connect();
    let sent: Array<Record<string, number>>;
    try {
      const row = (await db.query('SELECT workflow FROM modelling_session WHERE id = $1', [sessionId])).rows[0];
      const inert = {
        entity: () => assert.fail('not used'),
        lineage: () => assert.fail('not used'),
        related: () => assert.fail('not used'),
      };
      const machine = new WorkflowMachine(new WorkflowCatalog(WORKFLOW_DEFINITIONS), inert);
      const recorded: WorkflowState = machine.withSubmission(row.workflow as WorkflowState, 'crashed-submission');
      await db.query('UPDATE modelling_session SET workflow = $2, version = version + 1 WHERE id = $1', [
        sessionId,
        JSON.stringify(recorded),
      ]);
      const response = await fetch(`${archivist.url}/fact/facts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(recorded.submission!.facts),
      });
      assert.equal(response.status, 200);
      sent = ((await response.json()) as { facts: Array<Record<string, number>> }).facts;
    } finally {
      await db.end();
    }

    const before = posts();
    const result = await ok(alice, 'finalize', { sessionId });
    assert.equal(posts(), before, 'read back, not sent again');
    assert.deepEqual(
      result.facts.map((f: { fact_uid: number }) => f.fact_uid),
      sent.map((f) => f.fact_uid),
    );
    assert.deepEqual(
      result.created.map((c: { field: string; uid: number; name: string }) => [c.field, c.uid, c.name]),
      [
        ['New Concept', sent[0]!.lh_object_uid, names.concept],
        ['qualitative aspect', sent[5]!.lh_object_uid, names.aspect],
      ],
    );
    assert.deepEqual(await ok(aliceOnB, 'finalize', { sessionId }), result);
    assert.equal(posts(), before);
    const history = await request(alice, 'clarity.model/history', { uid: sent[0]!.lh_object_uid });
    assert.equal(history.data.length, 5, 'the change-log rows of the read-back submission, once');
    // the new kind is served with its facts (the caches of what the crashed process touched were dropped)
    const model = (await request(alice, 'clarity.model/get', { uid: sent[0]!.lh_object_uid })).data;
    assert.equal(model.category, 'physical object');
    assert.ok(model.synonyms.includes(names.synonym));
  });
});

/**
 * On the bundled knowledge base (Clarity's embedded Archivist, a real
 * OpenAI-compatible server on loopback): the Archivist refuses what it does not
 * know, and the definition field can be drafted by AI (spec §10).
 */
describe('guided modelling workflows: Archivist validation and AI-drafted definitions', () => {
  const PUMP = 2001001; // bundled KB: pump < rotating equipment < … < physical object
  const COMMISSIONING = 2005001; // bundled KB: an occurrence
  let clarity: ClarityProcess;
  let fake: FakeOpenAiServer;
  let cleanup: () => Promise<void>;
  let alice: Socket;

  const wf = (op: string, payload: Record<string, unknown>) =>
    request(alice, `clarity.workflow/${op}`, payload, 60_000);
  const ok = async (op: string, payload: Record<string, unknown>) => {
    const answer = await wf(op, payload);
    assert.equal(answer.success, true, `${op}: ${JSON.stringify(answer)}`);
    return answer.data;
  };

  before(async () => {
    fake = await FakeOpenAiServer.start();
    fake.behave({ kind: 'answer', text: 'that pumps slurry with a recessed impeller.' });
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({
      ...db.env,
      OPENAI_API_KEY: 'sk-workflow-test-key',
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_MODEL: 'test-model',
      WS_RATE_LIMIT: '1000',
      SESSION_STATE_MAX_BYTES: '4096', // a workflow state is a few hundred bytes: room for the test below
    });
    alice = await connect(clarity.url, { token: await mintToken('alice') });
  });

  after(async () => {
    alice?.close();
    if (clarity) assert.equal((await clarity.stop()).code, 0, clarity.output());
    await fake?.close();
    await cleanup?.();
  });

  test('the definition drafted by AI from the new name and the supertype; a refused fact makes validate BAD_REQUEST listing it', async () => {
    const sessionId = (await request(alice, 'clarity.session/create', { name: 'draft' })).data.id;
    await ok('start', { sessionId, workflowId: 'new-physical-object' });
    const tooEarly = await wf('set', { sessionId, field: 'definition', draft: true });
    assert.equal(tooEarly.code, 'BAD_REQUEST');
    assert.match(tooEarly.error!, /Field 'New Concept' is empty/);
    const notDraftable = await wf('set', { sessionId, field: 'Supertype Concept', draft: true });
    assert.equal(notDraftable.code, 'BAD_REQUEST');
    assert.match(notDraftable.error!, /Field 'Supertype Concept' cannot be drafted/);
    const both = await wf('set', { sessionId, field: 'definition', draft: true, name: 'x' });
    assert.equal(both.code, 'BAD_REQUEST');

    await ok('set', { sessionId, field: 'New Concept', name: 'slurry pump' });
    await ok('set', { sessionId, field: 'Supertype Concept', uid: PUMP });
    const before = fake.count;
    const drafted = await ok('set', { sessionId, field: 'definition', draft: true });
    assert.equal(fake.count, before + 1, 'one provider call');
    assert.equal(drafted.fields.definition.name, 'that pumps slurry with a recessed impeller.');
    const prompt = JSON.stringify(fake.requests[before]!.body?.messages);
    assert.match(prompt, /slurry pump/);
    assert.match(prompt, /pump : is a specialization of : /);

    for (let i = 0; i < 4; i++) await ok('next', { sessionId });
    await ok('set', { sessionId, field: 'Function', uid: COMMISSIONING });
    // the bundled knowledge base does not know relation type 5536: the Archivist refuses that fact
    const refused = await wf('validate', { sessionId });
    assert.equal(refused.code, 'BAD_REQUEST', JSON.stringify(refused));
    assert.match(refused.error!, /refused 1 of 2 facts/);
    assert.match(
      refused.error!,
      /fact 2 \(1 slurry pump > 5536 has by definition as intended function > 2005001 commissioning\): relation type 5536 is not known/,
    );
    const state = await ok('state', { sessionId });
    assert.equal(state.status, 'in-progress');
    const early = await wf('finalize', { sessionId });
    assert.equal(early.code, 'WORKFLOW_STATE');
    // without that fact the workflow validates
    await ok('set', { sessionId, field: 'Function' });
    assert.equal((await ok('validate', { sessionId })).status, 'pending');
  });

  test('a workflow state over SESSION_STATE_MAX_BYTES is QUOTA_EXCEEDED and changes nothing', async () => {
    const sessionId = (await request(alice, 'clarity.session/create', { name: 'quota' })).data.id;
    await ok('start', { sessionId, workflowId: 'new-physical-object' });
    const before = await ok('state', { sessionId });
    const tooBig = await wf('set', { sessionId, field: 'definition', name: 'd'.repeat(5000) });
    assert.equal(tooBig.code, 'QUOTA_EXCEEDED', JSON.stringify(tooBig));
    assert.match(tooBig.error!, /SESSION_STATE_MAX_BYTES/);
    assert.deepEqual(await ok('state', { sessionId }), before);
  });
});
