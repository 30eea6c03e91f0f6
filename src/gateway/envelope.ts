import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../common/clarity-error.js';

/** Response envelope of spec §3. */
export type ResponseEnvelope =
  | { id: string; type: 'response'; success: true; data: unknown; correlationId?: string; timestamp: string }
  | {
      id: string;
      type: 'response';
      success: false;
      error: string;
      code: ErrorCode;
      correlationId?: string;
      timestamp: string;
    };

export interface UnwrappedRequest {
  params: unknown;
  correlationId?: string;
}

const CORRELATION_ID = /^[\w.:@/-]{1,128}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Accepts the bare parameters (`{ uid }`) or the platform's message wrapper
 * `{ id, type: "request", payload: {...} }`; the wrapper's id comes back as
 * correlationId when it is a sane string or number.
 */
export function unwrapRequest(payload: unknown): UnwrappedRequest {
  if (isRecord(payload) && payload.type === 'request' && 'payload' in payload) {
    const id = payload.id;
    const text = typeof id === 'number' && Number.isFinite(id) ? String(id) : id;
    const correlationId = typeof text === 'string' && CORRELATION_ID.test(text) ? text : undefined;
    return { params: payload.payload ?? {}, correlationId };
  }
  return { params: payload ?? {} };
}

export function successEnvelope(data: unknown, correlationId?: string): ResponseEnvelope {
  const envelope: ResponseEnvelope = {
    id: randomUUID(),
    type: 'response',
    success: true,
    data,
    timestamp: new Date().toISOString(),
  };
  if (correlationId !== undefined) envelope.correlationId = correlationId;
  return envelope;
}

export function errorEnvelope(code: ErrorCode, message: string, correlationId?: string): ResponseEnvelope {
  const envelope: ResponseEnvelope = {
    id: randomUUID(),
    type: 'response',
    success: false,
    error: message,
    code,
    timestamp: new Date().toISOString(),
  };
  if (correlationId !== undefined) envelope.correlationId = correlationId;
  return envelope;
}
