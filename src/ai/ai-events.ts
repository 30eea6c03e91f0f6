import { randomUUID } from 'node:crypto';

/** The event carrying a piece of a streamed draft. */
export const DEFINITION_CHUNK_EVENT = 'clarity.ai/definition-chunk';

/**
 * A server-pushed event of spec §3: `{ id, type: "event", topic, payload, timestamp }`,
 * `topic` the event's name, `timestamp` milliseconds since the epoch.
 */
export interface EventEnvelope<P = unknown> {
  id: string;
  type: 'event';
  topic: string;
  payload: P;
  timestamp: number;
}

export function eventEnvelope<P>(topic: string, payload: P): EventEnvelope<P> {
  return { id: randomUUID(), type: 'event', topic, payload, timestamp: Date.now() };
}

/** Payload of a `clarity.ai/definition-chunk` event. */
export interface DefinitionChunk {
  requestId: string;
  text: string;
}
