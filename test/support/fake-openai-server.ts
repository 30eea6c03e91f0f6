import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenAI-compatible HTTP server on loopback for tests: `POST /v1/chat/completions`
 * with and without `stream: true` (server-sent events in OpenAI's chunk format, ending with
 * `data: [DONE]`). What it does is set with {@link FakeOpenAiServer.behave}: answer (in
 * chunks), fail with a status, stall before answering, or stream some chunks and then
 * stall. It records every request (body, Authorization header, whether the client closed
 * it before the answer was complete).
 */

export type Behaviour =
  /** Answer `text`; streamed in `chunks` (default: words) with `chunkDelayMs` between them. */
  | { kind: 'answer'; text: string; chunks?: string[]; chunkDelayMs?: number; usage?: boolean; model?: string }
  /** Answer with this status and a JSON error body (which quotes the request's Authorization header). */
  | { kind: 'fail'; status: number }
  /** Read the request and never answer. */
  | { kind: 'stall' }
  /** Stream these chunks, then hold the response open without ending it. */
  | { kind: 'stall-after'; chunks: string[] };

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: ChatRequestBody | undefined;
  /** Set when the client closed the connection before the answer was complete. */
  closedEarly: boolean;
  /** Resolves when the exchange is over (answered, or closed by the client). */
  done: Promise<void>;
}

export interface ChatRequestBody {
  model: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages: Array<{ role: string; content: string }>;
  [key: string]: unknown;
}

export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private behaviour: Behaviour = { kind: 'answer', text: 'that is a fake definition.' };
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeOpenAiServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const instance = new FakeOpenAiServer(server, (server.address() as AddressInfo).port);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => instance.handle(req, res));
    return instance;
  }

  /** The base URL to give Clarity as OPENAI_BASE_URL. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  get count(): number {
    return this.requests.length;
  }

  behave(behaviour: Behaviour): void {
    this.behaviour = behaviour;
  }

  /** Resolves with the next request to arrive (or one already there at `index`). */
  async request(index: number, timeoutMs = 15_000): Promise<RecordedRequest> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length <= index) {
      if (Date.now() > deadline) throw new Error(`fake OpenAI server: no request #${index} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.requests[index]!;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const behaviour = this.behaviour;
    let finish!: () => void;
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: undefined,
      closedEarly: false,
      done: new Promise<void>((resolve) => (finish = resolve)),
    };
    this.requests.push(record);
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      if (!res.writableFinished) record.closedEarly = true;
      finish();
    });
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      try {
        record.body = JSON.parse(Buffer.concat(parts).toString('utf8')) as ChatRequestBody;
      } catch {
        record.body = undefined;
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions') || !record.body) {
        sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
        return;
      }
      void this.respond(res, record.body, record.authorization, behaviour);
    });
  }

  private async respond(
    res: ServerResponse,
    body: ChatRequestBody,
    authorization: string | undefined,
    behaviour: Behaviour,
  ): Promise<void> {
    const model = behaviour.kind === 'answer' && behaviour.model ? behaviour.model : `${body.model}-fake`;
    switch (behaviour.kind) {
      case 'stall':
        return;
      case 'fail':
        // a provider body that quotes the key, as OpenAI's "Incorrect API key provided: sk-…" does
        sendJson(res, behaviour.status, {
          error: { message: `upstream exploded while serving ${authorization ?? 'nobody'}`, type: 'server_error' },
        });
        return;
      case 'stall-after':
        startStream(res);
        for (const text of behaviour.chunks) writeChunk(res, model, { content: text });
        return;
      case 'answer': {
        const usage = { prompt_tokens: 120, completion_tokens: 17, total_tokens: 137 };
        if (!body.stream) {
          sendJson(res, 200, {
            id: 'chatcmpl-fake',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: behaviour.text },
                finish_reason: 'stop',
                logprobs: null,
              },
            ],
            ...(behaviour.usage === false ? {} : { usage }),
          });
          return;
        }
        startStream(res);
        const chunks = behaviour.chunks ?? behaviour.text.split(/(?<= )/);
        writeChunk(res, model, { role: 'assistant', content: '' });
        for (const text of chunks) {
          if (behaviour.chunkDelayMs) await new Promise((r) => setTimeout(r, behaviour.chunkDelayMs));
          if (res.destroyed) return;
          writeChunk(res, model, { content: text });
        }
        writeChunk(res, model, {}, 'stop');
        if (body.stream_options?.include_usage && behaviour.usage !== false) {
          res.write(`data: ${JSON.stringify({ ...chunkBase(model), choices: [], usage })}\n\n`);
        }
        res.end('data: [DONE]\n\n');
        return;
      }
    }
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

function chunkBase(model: string) {
  return { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
}

function writeChunk(
  res: ServerResponse,
  model: string,
  delta: Record<string, string>,
  finishReason: string | null = null,
) {
  res.write(
    `data: ${JSON.stringify({ ...chunkBase(model), choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
  );
}
