import { io, type Socket } from 'socket.io-client';

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

export async function connectMany(url: string, token: string | undefined, count: number): Promise<Socket[]> {
  return Promise.all(Array.from({ length: count }, () => connectSocket(url, token)));
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
