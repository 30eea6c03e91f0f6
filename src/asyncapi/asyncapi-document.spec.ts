import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Ajv } from 'ajv';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { ERROR_CODES } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import { ClarityError } from '../common/clarity-error.js';
import { buildAsyncApiDocument, canonicalRoutes, channelId, toParamsJsonSchema } from './asyncapi-document.js';
import { asyncApiFilePath, documentedRoutes, generatedAsyncApiJson, packageVersion } from './documented-routes.js';

type Json = Record<string, any>;

const routes = documentedRoutes();
const document = buildAsyncApiDocument(routes, { version: packageVersion() }) as Json;

/** The keys of a z.object schema, and those a client must send. */
function shapeOf(schema: z.ZodType): { keys: string[]; required: string[] } {
  assert.ok(schema instanceof z.ZodObject, 'request schemas are z.object');
  const shape = schema.shape as Record<string, z.ZodType>;
  const keys = Object.keys(shape);
  return { keys, required: keys.filter((k) => shape[k]!._zod.optin !== 'optional') };
}

describe('request schemas as JSON Schema', () => {
  test('every route: an object naming each parameter, with the required ones', () => {
    for (const route of canonicalRoutes(routes)) {
      const json = toParamsJsonSchema(route.schema);
      const { keys, required } = shapeOf(route.schema);
      assert.equal(json.type, 'object', route.event);
      assert.deepEqual(Object.keys(json.properties as object).sort(), [...keys].sort(), route.event);
      assert.deepEqual([...((json.required as string[]) ?? [])].sort(), [...required].sort(), route.event);
    }
  });

  test('the builders describe what they accept (uid, text, integers, booleans, uid lists, session fields)', () => {
    const byEvent = (event: string) => toParamsJsonSchema(routes.get(event)!.schema) as Json;
    const model = byEvent('clarity.model/get');
    assert.deepEqual(model.required, ['uid']);
    assert.equal(model.properties.uid.oneOf[0].type, 'integer');
    assert.equal(model.properties.uid.oneOf[0].minimum, 1);
    assert.deepEqual(model.properties.includeFacts.type, ['boolean', 'null']);
    const batch = byEvent('clarity.model/get-batch');
    assert.equal(batch.properties.uids.type, 'array');
    assert.equal(batch.properties.uids.maxItems, 100);
    const name = byEvent('clarity.model/update-name');
    assert.equal(name.properties.name.minLength, 1);
    assert.equal(name.properties.name.maxLength, 255);
    const history = byEvent('clarity.model/history');
    assert.equal(history.properties.limit.anyOf[0].oneOf[0].maximum, 500);
    const update = byEvent('clarity.session/update');
    assert.equal(update.properties.id.format, 'uuid');
    assert.equal(update.properties.version.type, 'integer');
    assert.equal(update.properties.state.type, 'object');
  });

  test('the JSON Schema accepts what the validator accepts, and refuses what it refuses', () => {
    const ajv = new Ajv({ strict: false });
    const cases: Array<[string, unknown]> = [
      ['clarity.model/get', { uid: 730044 }],
      ['clarity.model/get', { uid: '730044', includeFacts: false }],
      ['clarity.model/get', { uid: 0 }],
      ['clarity.model/get', { uid: 1.5 }],
      ['clarity.model/get', {}],
      ['clarity.model/get', { uid: 'x' }],
      ['clarity.model/get', { uid: 1, includeFacts: 'yes' }],
      ['clarity.model/get-batch', { uids: [1, '2'] }],
      ['clarity.model/get-batch', { uids: [] }],
      ['clarity.model/get-batch', { uids: Array.from({ length: 101 }, (_, i) => i + 1) }],
      ['clarity.model/update-name', { uid: 1, name: 'pump' }],
      ['clarity.model/update-name', { uid: 1, name: '' }],
      ['clarity.model/history', { uid: 1, limit: 501 }],
      ['clarity.model/history', { uid: 1, limit: '20' }],
      ['clarity.session/get', { id: '0b7e0c8e-3a55-4b1c-9d3e-2f7b1c9a0d11' }],
      ['clarity.session/update', { id: '0b7e0c8e-3a55-4b1c-9d3e-2f7b1c9a0d11', version: -1 }],
      ['clarity.session/list', { limit: 101 }],
    ];
    for (const [event, payload] of cases) {
      const route = routes.get(event)!;
      const validate = ajv.compile(toParamsJsonSchema(route.schema));
      let accepted = true;
      try {
        parseParams(route.schema, payload);
      } catch (error) {
        assert.ok(error instanceof ClarityError);
        accepted = false;
      }
      assert.equal(validate(payload), accepted, `${event} ${JSON.stringify(payload)}`);
    }
  });
});

describe('the AsyncAPI document', () => {
  test('@asyncapi/parser reads it without errors', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    assert.deepEqual(
      errors.map((e) => `${e.path.join('/')}: ${e.message}`),
      [],
    );
    assert.ok(parsed, 'parsed');
    assert.equal(parsed.version(), '3.0.0');
    const received = parsed
      .operations()
      .all()
      .filter((o) => o.action() === 'receive')
      .flatMap((o) =>
        o
          .channels()
          .all()
          .map((c) => c.address()),
      )
      .sort();
    assert.deepEqual(received, [...routes.keys()].sort());
  });

  test('its request channels are exactly the events and aliases the gateway answers', () => {
    const receive = Object.values(document.operations as Json).filter((o: Json) => o.action === 'receive');
    const addresses = receive.map((o: Json) => document.channels[o.channel.$ref.split('/').pop()].address);
    assert.deepEqual([...addresses].sort(), [...routes.keys()].sort());
    const pushed = Object.values(document.operations as Json).filter((o: Json) => o.action === 'send');
    assert.deepEqual(
      pushed.map((o: Json) => document.channels[o.channel.$ref.split('/').pop()].address),
      ['clarity.model/updated'],
    );
  });

  test('aliases are channels of their own, marked, with the same messages as their event', () => {
    let aliases = 0;
    for (const route of canonicalRoutes(routes)) {
      const canonical = document.channels[channelId(route.event)];
      assert.equal(canonical['x-alias-of'], undefined);
      for (const alias of route.aliases ?? []) {
        aliases++;
        const channel = document.channels[channelId(alias)];
        assert.equal(channel.address, alias);
        assert.equal(channel['x-alias-of'], route.event);
        assert.deepEqual(channel.messages, canonical.messages);
        assert.equal(document.operations[channelId(alias)]['x-alias-of'], route.event);
      }
    }
    assert.ok(aliases >= 4, 'the platform aliases are documented');
  });

  test('requests (bare and wrapped), answers with their data, error codes, pushed events and the handshake', () => {
    const schemas = document.components.schemas as Json;
    const id = channelId('clarity.model/get');
    assert.deepEqual(document.components.messages[`${id}.request`].payload, {
      $ref: `#/components/schemas/${id}.params`,
    });
    const wrapped = schemas[`${id}.wrapped`];
    assert.deepEqual(wrapped.properties.type, { const: 'request' });
    assert.deepEqual(wrapped.properties.payload, { $ref: `#/components/schemas/${id}.params` });
    assert.ok(wrapped.properties.service && wrapped.properties.action);
    const success = schemas[`${id}.success`];
    assert.deepEqual(success.properties.success, { const: true });
    assert.deepEqual(success.properties.data, { $ref: `#/components/schemas/${id}.data` });
    assert.deepEqual(schemas.Timestamp.type, 'number');
    assert.equal(schemas[`${id}.data`].properties.category.enum.length, 6);
    for (const event of [
      'clarity.model/get-batch',
      'clarity.facts/get-by-entity',
      'clarity.model/history',
      'clarity.model/subscribe',
      'clarity.session/create',
      'clarity.session/list',
      'clarity.session/get',
      'clarity.session/update',
      'clarity.session/delete',
    ]) {
      const data = schemas[`${channelId(event)}.data`];
      assert.ok(data.type ?? data.$ref, `${event} documents its data`);
    }
    // Routes answering the same schema share one copy.
    assert.deepEqual(schemas[`${channelId('clarity.kind/get')}.data`], { $ref: `#/components/schemas/${id}.data` });
    assert.deepEqual(schemas.ErrorCode.enum, [...ERROR_CODES]);
    assert.deepEqual(schemas.ErrorEnvelope.properties.code, { $ref: '#/components/schemas/ErrorCode' });
    assert.deepEqual(schemas.ErrorEnvelope.required, ['id', 'type', 'success', 'error', 'code', 'timestamp']);
    const pushed = schemas.ModelUpdatedEvent;
    assert.deepEqual(pushed.properties.type, { const: 'event' });
    assert.deepEqual(pushed.properties.topic, { const: 'clarity.model/updated' });
    assert.deepEqual(pushed.properties.payload.required, ['uid', 'change']);
    const jwt = document.components.securitySchemes.jwt;
    assert.equal(jwt.scheme, 'bearer');
    assert.match(jwt.description, /auth: \{ token \}/);
    assert.match(jwt.description, /Authorization: Bearer/);
    assert.deepEqual(Object.keys(jwt['x-connect-errors']), [
      'UNAUTHORIZED',
      'CAPACITY',
      'SHUTTING_DOWN',
      'QUOTA_EXCEEDED',
    ]);
    assert.deepEqual(schemas.ConnectError.properties.data.properties.code.enum, [
      'UNAUTHORIZED',
      'CAPACITY',
      'SHUTTING_DOWN',
      'QUOTA_EXCEEDED',
    ]);
  });

  test('a route without an answer schema is still documented', () => {
    const table = new Map([
      [routes.get('clarity.model/get')!.event, { ...routes.get('clarity.model/get')!, answer: undefined }],
    ]);
    const doc = buildAsyncApiDocument(table, { version: '0' }) as Json;
    assert.match(doc.components.schemas[`${channelId('clarity.model/get')}.data`].description, /answers/);
  });

  test('docs/asyncapi.json is the document a fresh generation writes (run `npm run docs:asyncapi` after changing routes)', () => {
    assert.equal(readFileSync(asyncApiFilePath(), 'utf8'), generatedAsyncApiJson());
  });
});
