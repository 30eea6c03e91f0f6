import assert from 'node:assert/strict';
import { z } from 'zod';

/**
 * The platform's websocket contract as its clients validate Clarity's messages
 * (spec §3/§11), written here in zod: equivalent to the platform's
 * `BaseMessageSchema` (`id: uuid, type, timestamp?: number, correlationId?: string`)
 * and `BaseResponseSchema` (adds `success: boolean, data?, error?: string`).
 * Unknown keys (Clarity's `code`) pass, as they do in the platform's schemas.
 */
export const BaseMessageSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  timestamp: z.number().optional(),
  correlationId: z.string().optional(),
});

export const BaseResponseSchema = BaseMessageSchema.extend({
  success: z.boolean(),
  data: z.unknown().optional(),
  error: z.string().optional(),
});

/** The request wrapper the platform's clients send. */
export const RequestMessageSchema = BaseMessageSchema.extend({
  type: z.literal('request'),
  service: z.string(),
  action: z.string(),
  payload: z.unknown(),
});

/** A server-pushed event: `{id, type: "event", topic, payload, timestamp}`. */
export const EventMessageSchema = BaseMessageSchema.extend({
  type: z.literal('event'),
  topic: z.string(),
  payload: z.unknown(),
});

/**
 * Stricter than the platform (what spec §3 promises on top): `type: "response"`,
 * a timestamp always present, integral and close to now, `data` on success and
 * `error` + `code` on failure, and the request's id back as `correlationId`.
 */
export function assertPlatformResponse(message: unknown, requestId: string | undefined, where: string): void {
  const text = `${where}: ${JSON.stringify(message)?.slice(0, 500)}`;
  const parsed = BaseResponseSchema.safeParse(message);
  assert.ok(parsed.success, `${text}\n${parsed.success ? '' : z.prettifyError(parsed.error)}`);
  const r = parsed.data;
  assert.equal(r.type, 'response', text);
  assertRecentTimestamp(r.timestamp, text);
  assert.equal(r.correlationId, requestId, text);
  const raw = message as Record<string, unknown>;
  if (r.success) {
    assert.ok('data' in raw, text);
    assert.equal(r.error, undefined, text);
  } else {
    assert.equal(typeof r.error, 'string', text);
    assert.ok((r.error ?? '').length > 0, text);
    assert.match(String(raw.code), /^[A-Z_]+$/, text);
  }
}

export function assertPlatformEvent(message: unknown, topic: string, where: string): void {
  const text = `${where}: ${JSON.stringify(message)?.slice(0, 500)}`;
  const parsed = EventMessageSchema.safeParse(message);
  assert.ok(parsed.success, `${text}\n${parsed.success ? '' : z.prettifyError(parsed.error)}`);
  assert.equal(parsed.data.topic, topic, text);
  assertRecentTimestamp(parsed.data.timestamp, text);
}

/** A timestamp in milliseconds since the epoch, within a minute of now (never an ISO string). */
function assertRecentTimestamp(timestamp: unknown, where: string): void {
  assert.equal(typeof timestamp, 'number', where);
  assert.ok(Number.isInteger(timestamp), where);
  assert.ok(Math.abs(Date.now() - (timestamp as number)) < 60_000, where);
}
