import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../common/clarity-error.js';
import { PreEncodedJson } from './pre-encoded-parser.js';

/**
 * Response envelope of spec §3: `id` a UUID, `timestamp` milliseconds since the
 * epoch (a number), as the platform's `BaseMessageSchema` declares them.
 */
export type ResponseEnvelope<T = unknown> =
  | { id: string; type: 'response'; success: true; data: T; correlationId?: string; timestamp: number }
  | {
      id: string;
      type: 'response';
      success: false;
      error: string;
      code: ErrorCode;
      correlationId?: string;
      timestamp: number;
    };

/** A server-pushed event of spec §3 (`clarity.model/updated`, progress events): `topic` is the event's name. */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: 'event';
  topic: string;
  payload: T;
  timestamp: number;
}

/** The envelope of a server-pushed event; emit it on the event named `topic`. */
export function eventEnvelope<T>(topic: string, payload: T): EventEnvelope<T> {
  return { id: randomUUID(), type: 'event', topic, payload, timestamp: Date.now() };
}

interface UnwrappedRequest {
  params: unknown;
  correlationId?: string;
}

const CORRELATION_ID = /^[\w.:@/-]{1,128}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Is this the platform's message wrapper `{ id, type: "request", payload }` (rather than bare parameters)? */
export function isWrappedRequest(payload: unknown): payload is Record<string, unknown> {
  return isRecord(payload) && payload.type === 'request' && 'payload' in payload;
}

/**
 * Accepts the bare parameters (`{ uid }`) or the platform's message wrapper
 * `{ id, type: "request", payload: {...} }`; the wrapper's id comes back as
 * correlationId when it is a sane string or number.
 */
export function unwrapRequest(payload: unknown): UnwrappedRequest {
  if (isWrappedRequest(payload)) {
    const id = payload.id;
    const text = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
    const correlationId = typeof text === 'string' && CORRELATION_ID.test(text) ? text : undefined;
    return { params: payload.payload ?? {}, correlationId };
  }
  return { params: payload ?? {} };
}

export function errorEnvelope(code: ErrorCode, message: string, correlationId?: string): ResponseEnvelope {
  const envelope: ResponseEnvelope = {
    id: randomUUID(),
    type: 'response',
    success: false,
    error: message,
    code,
    timestamp: Date.now(),
  };
  if (correlationId !== undefined) envelope.correlationId = correlationId;
  return envelope;
}

/**
 * Serialized data of results that come back unchanged (memoised models), by object.
 * Not bounded here: an entry dies with its object, so the model memo (bounded in bytes by
 * CACHE_MAX_MB, counting each model with its text) bounds it; other results are short-lived.
 */
const jsonTexts = new WeakMap<object, string>();

/**
 * JSON text of a result. Objects are serialized once and remembered while they
 * live (results are never mutated after they are returned: the engine shares its
 * memoised models); arrays are assembled from their elements' texts, so a batch
 * of warm models costs no stringify either.
 */
export function jsonText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => jsonText(item)).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  let text = jsonTexts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value) ?? 'null';
    jsonTexts.set(value, text);
  }
  return text;
}

/**
 * The success envelope `{ id, type: "response", success: true, data,
 * correlationId?, timestamp }` as pre-encoded JSON, the data spliced in from jsonText.
 */
export function encodedSuccessEnvelope(data: unknown, correlationId?: string): PreEncodedJson {
  const cid = correlationId === undefined ? '' : `,"correlationId":${JSON.stringify(correlationId)}`;
  return new PreEncodedJson(
    `{"id":"${randomUUID()}","type":"response","success":true,"data":${jsonText(data)}${cid},"timestamp":${Date.now()}}`,
  );
}
