import { io, type Socket } from 'socket.io-client';

export interface Envelope {
  id: string;
  type: 'response';
  success: boolean;
  data?: any;
  error?: string;
  code?: string;
  correlationId?: string;
  /** Milliseconds since the epoch (spec §3). */
  timestamp: number;
}

/** A server-pushed event (spec §3): `{id, type: "event", topic, payload, timestamp}`. */
export interface EventEnvelope<T = any> {
  id: string;
  type: 'event';
  topic: string;
  payload: T;
  timestamp: number;
}

/** Connects a real socket.io-client; resolves once connected, rejects with the connect_error. */
export function connect(
  url: string,
  { token, headers, origin }: { token?: string; headers?: Record<string, string>; origin?: string } = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      auth: token ? { token } : {},
      extraHeaders: { ...(headers ?? {}), ...(origin ? { Origin: origin } : {}) },
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(error);
    });
  });
}

/** Emits with an ack and resolves with the envelope (or rejects after timeoutMs). */
export function request(socket: Socket, event: string, payload?: unknown, timeoutMs = 15_000): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const args = payload === undefined ? [] : [payload];
    socket.timeout(timeoutMs).emit(event, ...args, (error: Error | null, envelope: Envelope) => {
      if (error) reject(new Error(`no answer to ${event} within ${timeoutMs} ms`));
      else resolve(envelope);
    });
  });
}

/** Waits for one event on the socket. */
export function nextEvent<T = any>(socket: Socket, event: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Polls `fn` until it returns true (or throws after timeoutMs). */
export async function eventually(
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function metricValue(baseUrl: string, name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
  return line ? Number(line.split(' ').pop()) : undefined;
}
