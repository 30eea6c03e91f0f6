import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { asyncApiFilePath } from '../../src/asyncapi/documented-routes.js';
import { Category } from '../../src/gellish/gellish-uids.js';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { connect, request } from '../support/socket-client.js';

type Json = Record<string, any>;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

/**
 * The AsyncAPI document against a started Clarity: /asyncapi.json is the committed
 * docs/asyncapi.json, the service answers every event it documents, and live answers
 * match their documented schemas. (Wire level: raw socket.io-client on purpose.)
 */
describe('AsyncAPI document of a running Clarity', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;
  let socket: Socket;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, WS_RATE_LIMIT: '1000' });
    socket = await connect(clarity.url, { token: await mintToken('alice') });
  });
  after(async () => {
    socket?.close();
    if (clarity?.child.exitCode === null) await clarity.stop();
    await cleanup?.();
  });

  async function served(): Promise<{ text: string; document: Json }> {
    const res = await fetch(`${clarity.url}/asyncapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const text = await res.text();
    return { text, document: JSON.parse(text) as Json };
  }

  test('/asyncapi.json is the committed docs/asyncapi.json', async () => {
    const { text } = await served();
    assert.equal(text, readFileSync(asyncApiFilePath(), 'utf8'));
  });

  test('Clarity answers every documented request event and alias (none is an unknown event)', async () => {
    const { document } = await served();
    const events = Object.values(document.operations as Json)
      .filter((o: Json) => o.action === 'receive')
      .map((o: Json) => document.channels[o.channel.$ref.split('/').pop()].address as string);
    assert.ok(events.length >= 25, `${events.length} events`);
    for (const event of events) {
      // `{}` fails validation wherever a parameter is required, so nothing is changed.
      const answer = await request(socket, event, {});
      assert.equal(answer.type, 'response', event);
      assert.doesNotMatch(answer.error ?? '', /Unknown event/, event);
    }
    const unknown = await request(socket, 'clarity.not/documented', {});
    assert.match(unknown.error ?? '', /Unknown event/);
  });

  test('live answers match their documented schemas', async () => {
    const { document } = await served();
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    ajv.addSchema({ components: document.components }, 'doc');
    const check = (schemaName: string, value: unknown): void => {
      const validate = ajv.getSchema(`doc#/components/schemas/${schemaName}`)!;
      assert.ok(validate(value), `${schemaName}: ${ajv.errorsText(validate.errors)}`);
    };
    // The envelopes' timestamp becomes a number (spec rev. 2) in a parallel change; their data is checked here.
    const model = await request(socket, 'clarity.model/get', { uid: Category.PHYSICAL_OBJECT });
    assert.equal(model.success, true);
    check('clarity.model_get.data', model.data);
    const batch = await request(socket, 'clarity/model-get-batch', { uids: [Category.ROLE, 999999999] });
    check('clarity.model_get-batch.data', batch.data);
    const session = await request(socket, 'clarity.session/create', { name: 'documented', state: { a: 1 } });
    check('clarity.session_create.data', session.data);
    check('clarity.session_list.data', (await request(socket, 'clarity.session/list', {})).data);
    check(
      'clarity.model_subscribe.data',
      (await request(socket, 'clarity.model/subscribe', { uid: Category.ROLE })).data,
    );
    check('clarity.workflow_list.data', (await request(socket, 'clarity.workflow/list', {})).data);
    const sessionId = session.data.id;
    const started = await request(socket, 'clarity.workflow/start', { sessionId, workflowId: 'new-conceptual-aspect' });
    check('clarity.workflow_start.data', started.data);
    const set = await request(socket, 'clarity.workflow/set', { sessionId, field: 'Conceptual Aspect', name: 'hue' });
    check('clarity.workflow_set.data', set.data);
    const aspect = await request(socket, 'clarity.workflow/set', {
      sessionId,
      field: 'Supertype Concept',
      uid: Category.ASPECT,
    });
    assert.equal(aspect.success, true, JSON.stringify(aspect));
    check('clarity.workflow_state.data', (await request(socket, 'clarity.workflow/state', { sessionId })).data);
    const failed = await request(socket, 'clarity.model/get', { uid: 0 });
    check('ErrorCode', failed.code);
    check('ErrorEnvelope', failed);
  });
});

describe('/asyncapi.json follows API_DOCS', () => {
  test('API_DOCS=false: 404', async () => {
    const db = await databaseEnv();
    const clarity = await startClarityProcess({ ...db.env, API_DOCS: 'false' });
    try {
      assert.equal((await fetch(`${clarity.url}/asyncapi.json`)).status, 404);
      assert.equal((await fetch(`${clarity.url}/health`)).status, 200);
    } finally {
      await clarity.stop();
      await db.cleanup();
    }
  });
});
