import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  AnswerOf,
  ClarityErrorCode,
  ClarityEvent,
  ConnectErrorCode,
  ModelUpdate,
  ParamsOf,
  ResponseEnvelope,
} from './api-types.js';
import { ClarityConnectError, ClarityRequestError } from './errors.js';

/** The event Clarity pushes to subscribers of an entity (spec §3). */
export const MODEL_UPDATED_EVENT = 'clarity.model/updated';

/** Back-off between reconnection attempts (socket.io-client's own reconnection). */
export interface ReconnectOptions {
  /** Attempts before giving up (default: unlimited). */
  attempts?: number;
  /** First delay (default 500 ms), doubled on each attempt up to maxDelayMs. */
  delayMs?: number;
  /** Longest delay (default 10 s). */
  maxDelayMs?: number;
  /** Jitter, 0..1 (default 0.5). */
  randomization?: number;
}

export interface ClarityClientOptions {
  /** Clarity's base URL, e.g. `http://localhost:3001`. */
  url: string;
  /** The JWT sent at the handshake (`auth.token`). */
  token: string;
  /**
   * Called when the server refuses the token (`connect_error` UNAUTHORIZED, e.g.
   * it expired); the client then connects again with the token it returns.
   */
  refreshToken?: () => string | Promise<string>;
  /** Refreshes in a row (without a successful connect in between) before giving up; default 3. */
  maxTokenRefreshes?: number;
  /** How long a request waits for its answer; default 15 s. */
  requestTimeoutMs?: number;
  /** How long one handshake may take; default 10 s. */
  connectTimeoutMs?: number;
  /** Reconnection after a lost connection, with back-off; `false` turns it off. */
  reconnect?: ReconnectOptions | false;
  /** Default `['websocket']`. */
  transports?: Array<'websocket' | 'polling' | 'webtransport'>;
  /** Anything else socket.io-client accepts (path, extraHeaders, …). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface RequestOptions {
  /** Overrides ClarityClientOptions.requestTimeoutMs. */
  timeoutMs?: number;
  /** Sent as the wrapper's `id` and answered as `correlationId` (default: generated). */
  correlationId?: string;
}

export interface ClientEvents {
  /** Connected; `reconnected` is false the first time. Subscriptions are renewed before it fires. */
  connect: (reconnected: boolean) => void;
  disconnect: (reason: string) => void;
  /** A failure outside a request: a subscription that could not be renewed, a refused reconnection. */
  error: (error: Error) => void;
}

type Listener = (update: ModelUpdate) => void;

interface Subscription {
  listeners: Set<Listener>;
  /** Settles when the server confirmed the subscription. */
  ready: Promise<void>;
}

type ConnectErrorData = Error & { data?: { code?: string } };

const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A typed client of Clarity's Socket.IO API (spec §3), on socket.io-client.
 *
 * ```ts
 * const clarity = await ClarityClient.connect({ url, token, refreshToken: () => fetchToken() });
 * const model = await clarity.request('clarity.model/get', { uid: 730044 });
 * const stop = await clarity.onModelUpdated(730044, ({ change }) => console.log(change.field));
 * ```
 *
 * Requests are sent in the platform's wrapper, so every answer (errors too)
 * carries the request's correlation id; a failed request rejects with
 * ClarityRequestError (`code`, `correlationId`). Subscriptions survive
 * reconnections: the client subscribes again after each one.
 */
export class ClarityClient {
  /** The underlying socket.io-client socket (for wire-level needs). */
  readonly socket: Socket;
  private token: string;
  private readonly requestTimeoutMs: number;
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly handlers: { [K in keyof ClientEvents]: Set<ClientEvents[K]> } = {
    connect: new Set(),
    disconnect: new Set(),
    error: new Set(),
  };
  private readonly correlationPrefix = Math.random().toString(36).slice(2, 10);
  private sequence = 0;
  private refreshes = 0;
  private everConnected = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryAttempt = 0;
  private firstConnect?: { resolve: () => void; reject: (error: Error) => void };

  private constructor(private readonly options: ClarityClientOptions) {
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const reconnect = options.reconnect;
    this.socket = io(options.url, {
      transports: options.transports ?? ['websocket'],
      autoConnect: false,
      forceNew: true,
      timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      reconnection: reconnect !== false,
      reconnectionAttempts: (reconnect || undefined)?.attempts ?? Infinity,
      reconnectionDelay: (reconnect || undefined)?.delayMs ?? 500,
      reconnectionDelayMax: (reconnect || undefined)?.maxDelayMs ?? 10_000,
      randomizationFactor: (reconnect || undefined)?.randomization ?? 0.5,
      ...options.socketOptions,
      // A function, so that every attempt (reconnections too) sends the current token.
      auth: (send) => send({ token: this.token }),
    });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('disconnect', (reason) => this.emitLocal('disconnect', reason));
    this.socket.on('connect_error', (error: ConnectErrorData) => void this.onConnectError(error));
    this.socket.on(MODEL_UPDATED_EVENT, (message: unknown) => this.onModelUpdatedEvent(message));
  }

  /** Connects; resolves once the handshake is accepted, rejects with ClarityConnectError if it is refused. */
  static connect(options: ClarityClientOptions): Promise<ClarityClient> {
    const client = new ClarityClient(options);
    return new Promise<ClarityClient>((resolve, reject) => {
      client.firstConnect = {
        resolve: () => resolve(client),
        reject: (error) => {
          client.close();
          reject(error);
        },
      };
      client.socket.connect();
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Sends `event` with `params` and resolves with the answer's `data`; rejects with
   * ClarityRequestError carrying the server's `code` (or TIMEOUT / DISCONNECTED).
   */
  request<E extends ClarityEvent>(event: E, params: ParamsOf<E>, options: RequestOptions = {}): Promise<AnswerOf<E>> {
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const correlationId = options.correlationId ?? `${this.correlationPrefix}-${++this.sequence}`;
    return new Promise<unknown>((resolve, reject) => {
      this.socket
        .timeout(timeoutMs)
        .emit(
          event,
          { id: correlationId, type: 'request', payload: params },
          (error: Error | null, envelope: ResponseEnvelope) => {
            if (error) {
              const code: ClarityErrorCode = this.socket.connected ? 'TIMEOUT' : 'DISCONNECTED';
              reject(
                new ClarityRequestError(code, `No answer to ${event} within ${timeoutMs} ms`, event, correlationId),
              );
            } else if (envelope.success) {
              resolve(envelope.data);
            } else {
              reject(
                new ClarityRequestError(envelope.code, envelope.error, event, envelope.correlationId ?? correlationId),
              );
            }
          },
        );
    }) as Promise<AnswerOf<E>>;
  }

  /** The semantic model of `uid` (spec §5). */
  getModel(uid: number, options: { includeFacts?: boolean } = {}): Promise<AnswerOf<'clarity.model/get'>> {
    return this.request('clarity.model/get', { uid, ...options });
  }

  /** The models of `uids` in order; null for an unknown uid. */
  getModels(uids: number[], options: { includeFacts?: boolean } = {}): Promise<AnswerOf<'clarity.model/get-batch'>> {
    return this.request('clarity.model/get-batch', { uids, ...options });
  }

  /**
   * Calls `listener` with every update of `uid` (`clarity.model/updated`): subscribes
   * on the server (once per uid, however many listeners) and again after every
   * reconnection. Resolves when the server confirmed; the returned function removes
   * the listener (and unsubscribes when it was the last one).
   */
  async onModelUpdated(uid: number, listener: Listener): Promise<() => Promise<void>> {
    let subscription = this.subscriptions.get(uid);
    if (subscription === undefined) {
      const created: Subscription = {
        listeners: new Set(),
        ready: this.request('clarity.model/subscribe', { uid }).then(
          () => undefined,
          (error: unknown) => {
            if (this.subscriptions.get(uid) === created) this.subscriptions.delete(uid);
            throw error;
          },
        ),
      };
      subscription = created;
      this.subscriptions.set(uid, subscription);
    }
    subscription.listeners.add(listener);
    const current = subscription;
    try {
      await current.ready;
    } catch (error) {
      current.listeners.delete(listener);
      throw error;
    }
    return async () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.subscriptions.get(uid) !== current) return;
      this.subscriptions.delete(uid);
      if (this.socket.connected) await this.request('clarity.model/unsubscribe', { uid });
    };
  }

  /** Adds a listener of the client's own events; returns a function removing it. */
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    this.handlers[event].add(listener);
    return () => this.handlers[event].delete(listener);
  }

  /** Disconnects for good (no reconnection). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.close();
  }

  private emitLocal<K extends keyof ClientEvents>(event: K, ...args: Parameters<ClientEvents[K]>): void {
    for (const handler of this.handlers[event]) (handler as (...a: Parameters<ClientEvents[K]>) => void)(...args);
  }

  private onConnect(): void {
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.refreshes = 0;
    this.retryAttempt = 0;
    if (this.firstConnect) {
      this.firstConnect.resolve();
      this.firstConnect = undefined;
    }
    if (reconnected) this.renewSubscriptions();
    this.emitLocal('connect', reconnected);
  }

  /** The server forgets a socket's subscriptions with the socket: subscribe again on the new one. */
  private renewSubscriptions(): void {
    for (const [uid, subscription] of this.subscriptions) {
      subscription.ready = this.request('clarity.model/subscribe', { uid }).then(
        () => undefined,
        (error: unknown) => {
          this.emitLocal('error', error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  }

  private async onConnectError(error: ConnectErrorData): Promise<void> {
    if (this.closed) return;
    const refusal = error.data?.code;
    if (refusal === undefined) {
      // No answer or a transport error: socket.io-client retries by itself (when reconnection is on).
      if (this.firstConnect || !this.socket.active) {
        this.fail(new ClarityConnectError('CONNECT_FAILED', error.message, { cause: error }));
      }
      return;
    }
    // A refused handshake is not retried by socket.io-client: the client decides.
    if (
      refusal === 'UNAUTHORIZED' &&
      this.options.refreshToken &&
      this.refreshes < (this.options.maxTokenRefreshes ?? 3)
    ) {
      this.refreshes++;
      try {
        this.token = await this.options.refreshToken();
      } catch (cause) {
        this.fail(new ClarityConnectError('UNAUTHORIZED', 'Token refresh failed', { cause }));
        return;
      }
      if (!this.closed) this.socket.connect();
      return;
    }
    const failure = new ClarityConnectError(refusal as ConnectErrorCode, error.message);
    if (this.firstConnect || refusal === 'UNAUTHORIZED' || this.options.reconnect === false) {
      this.fail(failure);
      return;
    }
    // CAPACITY, SHUTTING_DOWN…: another replica (or this one, later) may take us; back off and try again.
    const reconnect = this.options.reconnect ?? {};
    if (this.retryAttempt >= (reconnect.attempts ?? Infinity)) {
      this.fail(failure);
      return;
    }
    const base = Math.min((reconnect.delayMs ?? 500) * 2 ** this.retryAttempt++, reconnect.maxDelayMs ?? 10_000);
    const jitter = 1 + (Math.random() * 2 - 1) * (reconnect.randomization ?? 0.5);
    this.emitLocal('error', failure);
    this.retryTimer = setTimeout(() => {
      if (!this.closed) this.socket.connect();
    }, base * jitter);
  }

  private fail(error: ClarityConnectError): void {
    if (this.firstConnect) {
      const { reject } = this.firstConnect;
      this.firstConnect = undefined;
      reject(error);
    } else {
      this.emitLocal('error', error);
    }
  }

  private onModelUpdatedEvent(message: unknown): void {
    // `{id, type: "event", topic, payload: {uid, change}, timestamp}` (spec §3); a bare `{uid, change}` is read too.
    const envelope = isRecord(message) && message.type === 'event' && isRecord(message.payload);
    const body = envelope ? (message.payload as Record<string, unknown>) : message;
    if (!isRecord(body) || typeof body.uid !== 'number') return;
    const subscription = this.subscriptions.get(body.uid);
    if (subscription === undefined) return;
    const update: ModelUpdate = { uid: body.uid, change: body.change as ModelUpdate['change'] };
    if (envelope && typeof (message as Record<string, unknown>).timestamp === 'number') {
      update.timestamp = (message as Record<string, unknown>).timestamp as number;
    }
    for (const listener of subscription.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.emitLocal('error', error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
