import { z } from 'zod';
import { ERROR_CODES } from '../common/clarity-error.js';
import { paramJsonSchemas, type ParamJsonSchema } from '../common/request-params.js';
import { MODEL_CHANGE_SCHEMA } from '../gateway/answer-schemas.js';
import type { Route, RouteTable } from '../gateway/event-routes.js';

/**
 * The AsyncAPI 3.0 document of the Socket.IO API (spec §3), generated from the
 * route table and the zod schemas that validate the requests, so it cannot
 * drift from what the service accepts: every event and alias is a channel with
 * a `receive` operation whose reply is the response envelope; server-pushed
 * events are channels with a `send` operation. Served at /asyncapi.json
 * (API_DOCS) and written to docs/asyncapi.json by `npm run docs:asyncapi`.
 */

export type JsonObject = Record<string, unknown>;

/** The event Clarity pushes to the subscribers of an entity. */
export const MODEL_UPDATED_EVENT = 'clarity.model/updated';

/** `connect_error` `data.code` values of a refused handshake, with their messages. */
export const CONNECT_ERRORS: Record<string, string> = {
  UNAUTHORIZED: 'Unauthorized — no token, or a token that is invalid, expired or not yet valid',
  CAPACITY: 'Server at capacity — the process holds WS_MAX_CONNECTIONS sockets',
  SHUTTING_DOWN: 'Server shutting down — the process drains after SIGTERM; connect to another replica',
  QUOTA_EXCEEDED: 'Quota exceeded — the user holds WS_MAX_CONNECTIONS_PER_USER sockets (counted across replicas)',
};

const CONTENT_TYPE = 'application/json';

/** Channel and operation ids allow `[\w.-]` only: `clarity.model/get` → `clarity.model_get`. */
export function channelId(event: string): string {
  return event.replace(/[^\w.-]/g, '_');
}

/**
 * JSON Schema (draft 7, as AsyncAPI schemas are) of what a request schema accepts:
 * zod's own conversion of its input side, where each parameter built with the
 * request-params builders (a transform zod cannot describe) takes the JSON Schema
 * its builder registered.
 */
export function toParamsJsonSchema(schema: z.ZodType): JsonObject {
  const json = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const documented = paramJsonSchemas.get(zodSchema as unknown as z.ZodType);
      if (documented) Object.assign(jsonSchema, structuredClone(documented));
    },
  }) as JsonObject;
  delete json.$schema;
  return json;
}

/** The distinct routes of a table (canonical entries), in table order. */
export function canonicalRoutes(routes: RouteTable): Route[] {
  return [...new Set(routes.values())];
}

const ref = (path: string): JsonObject => ({ $ref: path });
const schemaRef = (name: string): JsonObject => ref(`#/components/schemas/${name}`);

const COMMON_SCHEMAS: Record<string, ParamJsonSchema> = {
  ErrorCode: {
    type: 'string',
    enum: [...ERROR_CODES],
    description:
      'Why a request failed (spec §3). BAD_REQUEST names the parameter and what is expected; an unknown event ' +
      'with an ack gets BAD_REQUEST too. A failing request never closes the socket.',
  },
  Timestamp: { type: 'number', description: 'Milliseconds since the epoch' },
  CorrelationId: {
    type: 'string',
    pattern: '^[\\w.:@/-]{1,128}$',
    description: "The wrapped request's `id`, answered back (requests sent bare get none)",
  },
  ErrorEnvelope: {
    type: 'object',
    description: 'The response envelope of a failed request',
    required: ['id', 'type', 'success', 'error', 'code', 'timestamp'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      type: { const: 'response' },
      success: { const: false },
      error: { type: 'string', description: 'A message safe to show: no stack traces or internals' },
      code: schemaRef('ErrorCode'),
      correlationId: schemaRef('CorrelationId'),
      timestamp: schemaRef('Timestamp'),
    },
  },
  ModelUpdatedEvent: {
    type: 'object',
    required: ['id', 'type', 'topic', 'payload', 'timestamp'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      type: { const: 'event' },
      topic: { const: MODEL_UPDATED_EVENT },
      payload: {
        type: 'object',
        required: ['uid', 'change'],
        properties: { uid: { type: 'integer' }, change: MODEL_CHANGE_SCHEMA },
      },
      timestamp: schemaRef('Timestamp'),
    },
  },
  ConnectError: {
    type: 'object',
    description: 'What socket.io-client gets as `connect_error` when the handshake is refused',
    required: ['message', 'data'],
    properties: {
      message: { type: 'string', examples: ['Unauthorized', 'Server at capacity', 'Server shutting down'] },
      data: {
        type: 'object',
        required: ['code'],
        properties: { code: { type: 'string', enum: Object.keys(CONNECT_ERRORS) } },
      },
    },
  },
};

function successEnvelope(event: string, dataSchema: string): JsonObject {
  return {
    type: 'object',
    description: `The response envelope of a successful ${event}`,
    required: ['id', 'type', 'success', 'data', 'timestamp'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      type: { const: 'response' },
      success: { const: true },
      data: schemaRef(dataSchema),
      correlationId: schemaRef('CorrelationId'),
      timestamp: schemaRef('Timestamp'),
    },
  };
}

function wrappedRequest(paramsSchema: string): JsonObject {
  return {
    type: 'object',
    description: "The platform's message wrapper: its `id` comes back as the answer's `correlationId`",
    required: ['type', 'payload'],
    properties: {
      id: { type: ['string', 'number'], description: 'Correlation id (a string of [\\w.:@/-], up to 128)' },
      type: { const: 'request' },
      service: { type: 'string' },
      action: { type: 'string' },
      payload: schemaRef(paramsSchema),
    },
  };
}

const DESCRIPTION = `The Socket.IO API of Clarity, the semantic model service of the Gellish knowledge platform (spec §3).

* **Connect** with socket.io-client (path \`/socket.io\`, websocket transport) and a JWT: \`auth: { token }\`, or an \`Authorization: Bearer\` header. A refused handshake gets \`connect_error\` with \`data.code\` ${Object.keys(
  CONNECT_ERRORS,
)
  .map((c) => `\`${c}\``)
  .join(', ')} (schema \`ConnectError\`).
* **Requests**: \`socket.emit(event, payload, ack)\`. The payload is the bare parameters (\`{ "uid": 730044 }\`) or the platform's wrapper \`{ id, type: "request", payload: {…} }\`, whose \`id\` comes back as \`correlationId\`. The answer goes to the ack; without an ack it is emitted on the event name the client used.
* **Answers**: \`{ id, type: "response", success: true, data, correlationId?, timestamp }\` or \`{ id, type: "response", success: false, error, code, correlationId?, timestamp }\`; \`timestamp\` is milliseconds since the epoch.
* **Aliases** (the platform contract's names) are separate channels marked \`x-alias-of\`, with the same messages as their event.
* **Pushed events**: after \`clarity.model/subscribe\`, \`${MODEL_UPDATED_EVENT}\` carries \`{ id, type: "event", topic, payload: { uid, change }, timestamp }\` after every update of the entity, from any replica.

Generated from the route table and the request schemas that validate the requests.`;

/** The AsyncAPI 3.0 document of `routes` (the gateway's route table). */
export function buildAsyncApiDocument(routes: RouteTable, { version }: { version: string }): JsonObject {
  const schemas: Record<string, unknown> = { ...COMMON_SCHEMAS };
  const messages: Record<string, unknown> = {
    error: {
      name: 'error',
      title: 'Error answer',
      summary: 'The request failed: its code and a message',
      contentType: CONTENT_TYPE,
      payload: schemaRef('ErrorEnvelope'),
    },
    modelUpdated: {
      name: MODEL_UPDATED_EVENT,
      title: 'Model updated',
      summary: 'An update of a subscribed entity (its uid and the change)',
      contentType: CONTENT_TYPE,
      payload: schemaRef('ModelUpdatedEvent'),
    },
  };
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  // An answer schema several routes share (the semantic model…) is written once; the others refer to it.
  const answerNames = new Map<object, string>();
  for (const route of canonicalRoutes(routes)) {
    const id = channelId(route.event);
    schemas[`${id}.params`] = { ...toParamsJsonSchema(route.schema), description: `Parameters of ${route.event}` };
    const sharedAnswer = route.answer && answerNames.get(route.answer);
    if (route.answer && !sharedAnswer) answerNames.set(route.answer, `${id}.data`);
    schemas[`${id}.data`] = sharedAnswer
      ? schemaRef(sharedAnswer)
      : (route.answer ?? { description: `What ${route.event} answers (see spec §3)` });
    schemas[`${id}.success`] = successEnvelope(route.event, `${id}.data`);
    schemas[`${id}.wrapped`] = wrappedRequest(`${id}.params`);
    messages[`${id}.request`] = {
      name: route.event,
      title: `${route.event} request`,
      summary: 'The bare parameters',
      contentType: CONTENT_TYPE,
      payload: schemaRef(`${id}.params`),
    };
    messages[`${id}.wrappedRequest`] = {
      name: route.event,
      title: `${route.event} request (wrapped)`,
      summary: "The parameters in the platform's message wrapper",
      contentType: CONTENT_TYPE,
      payload: schemaRef(`${id}.wrapped`),
    };
    messages[`${id}.success`] = {
      name: route.event,
      title: `${route.event} answer`,
      summary: 'The success envelope with its data',
      contentType: CONTENT_TYPE,
      payload: schemaRef(`${id}.success`),
    };

    for (const name of [route.event, ...(route.aliases ?? [])]) {
      const cid = channelId(name);
      if (channels[cid] !== undefined) throw new Error(`Two events map to the AsyncAPI channel id '${cid}'`);
      const alias = name !== route.event;
      const extension = alias ? { 'x-alias-of': route.event } : {};
      channels[cid] = {
        address: name,
        title: name,
        description: alias ? `Alias of ${route.event} (the platform contract's name)` : `The ${name} event`,
        messages: {
          request: ref(`#/components/messages/${id}.request`),
          wrappedRequest: ref(`#/components/messages/${id}.wrappedRequest`),
          success: ref(`#/components/messages/${id}.success`),
          error: ref('#/components/messages/error'),
        },
        ...extension,
      };
      operations[cid] = {
        action: 'receive',
        channel: ref(`#/channels/${cid}`),
        title: name,
        summary: alias ? `${name}: alias of ${route.event}` : `Request ${name}`,
        tags: [{ name: route.event.split('/')[0] }],
        messages: [ref(`#/channels/${cid}/messages/request`), ref(`#/channels/${cid}/messages/wrappedRequest`)],
        reply: {
          channel: ref(`#/channels/${cid}`),
          messages: [ref(`#/channels/${cid}/messages/success`), ref(`#/channels/${cid}/messages/error`)],
        },
        ...extension,
      };
    }
  }

  const pushed = channelId(MODEL_UPDATED_EVENT);
  if (channels[pushed] !== undefined) throw new Error(`A route uses the pushed event's name ${MODEL_UPDATED_EVENT}`);
  channels[pushed] = {
    address: MODEL_UPDATED_EVENT,
    title: MODEL_UPDATED_EVENT,
    description: 'Pushed to the subscribers of an entity (clarity.model/subscribe) after each update, from any replica',
    messages: { modelUpdated: ref('#/components/messages/modelUpdated') },
  };
  operations[pushed] = {
    action: 'send',
    channel: ref(`#/channels/${pushed}`),
    title: MODEL_UPDATED_EVENT,
    summary: 'Clarity pushes an update of a subscribed entity',
    tags: [{ name: 'clarity.model' }],
    messages: [ref(`#/channels/${pushed}/messages/modelUpdated`)],
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Clarity Socket.IO API',
      version,
      description: DESCRIPTION,
    },
    defaultContentType: CONTENT_TYPE,
    servers: {
      clarity: {
        host: 'localhost:3001',
        protocol: 'ws',
        pathname: '/socket.io',
        title: 'A Clarity process',
        description:
          'Socket.IO 4 (Engine.IO 4) over WebSocket; the host is wherever Clarity runs (PORT, default 3001).',
        security: [ref('#/components/securitySchemes/jwt')],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Checked at the handshake: `auth: { token }` of socket.io-client, else an `Authorization: Bearer` header ' +
            "(the Portal forwards it). The token's `sub` is the user for everything user-scoped. A refused handshake " +
            'never becomes a connection: the client gets `connect_error` (schema ConnectError) with `data.code` ' +
            Object.entries(CONNECT_ERRORS)
              .map(([code, meaning]) => `${code} (${meaning})`)
              .join('; ') +
            '.',
          'x-connect-errors': CONNECT_ERRORS,
        },
      },
    },
  };
}

/** The document as the file and /asyncapi.json hold it: 2-space JSON with a final newline. */
export function asyncApiJson(routes: RouteTable, version: string): string {
  return `${JSON.stringify(buildAsyncApiDocument(routes, { version }), null, 2)}\n`;
}
