import { io, type Socket } from 'socket.io-client';
import { ClarityClient, ClarityRequestError, type ClarityEvent } from '../../src/client/index.js';

/** The response envelope of spec §3 as the client sees it. */
export interface Envelope {
  success: boolean;
  data?: unknown;
  error?: string;
  code?: string;
}

/** Error thrown when a handshake is refused; `code` is the server's connect_error data.code. */
export class ConnectRefused extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** One socket.io-client over the WebSocket transport, like the test helpers and real clients. */
export function connectSocket(url: string, token: string | undefined, timeoutMs = 20_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      auth: token ? { token } : {},
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(new ConnectRefused(error.message, error.data?.code));
    });
  });
}

/**
 * A connection of the load scenarios: the typed client (src/client), its answers
 * given back as envelopes so that the loops count error codes without exceptions
 * of their own.
 */
export interface BenchSocket {
  readonly connected: boolean;
  close(): void;
  request(event: string, payload: unknown, timeoutMs: number): Promise<Envelope>;
}

/** One typed client (WebSocket, no reconnection), as the load scenarios use it. */
export async function connectClient(url: string, token: string | undefined, timeoutMs = 20_000): Promise<BenchSocket> {
  const client = await ClarityClient.connect({
    url,
    token: token ?? '',
    reconnect: false,
    connectTimeoutMs: timeoutMs,
  });
  return {
    get connected() {
      return client.connected;
    },
    close: () => client.close(),
    request: (event, payload, requestTimeoutMs) =>
      client.request(event as ClarityEvent, payload as never, { timeoutMs: requestTimeoutMs }).then(
        (data): Envelope => ({ success: true, data }),
        (error: unknown): Envelope => {
          if (error instanceof ClarityRequestError && error.code !== 'TIMEOUT' && error.code !== 'DISCONNECTED') {
            return { success: false, code: error.code, error: error.message };
          }
          throw error;
        },
      ),
  };
}

export async function connectMany(url: string, token: string | undefined, count: number): Promise<BenchSocket[]> {
  return Promise.all(Array.from({ length: count }, () => connectClient(url, token)));
}

/** Emits with an ack; resolves with the envelope, rejects after timeoutMs. */
export function request(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, payload, (error: Error | null, envelope: Envelope) => {
      if (error) reject(new Error(`no answer to ${event} within ${timeoutMs} ms`));
      else resolve(envelope);
    });
  });
}
