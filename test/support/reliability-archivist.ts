import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  bundledKnowledgeBasePaths,
  startArchivistServer,
  type ArchivistServer,
} from '../../src/archivist-server/index.js';
import { freePort } from './clarity-process.js';

/**
 * How the switchable Archivist answers:
 * - `up`: proxied to a real embedded Archivist (bundled knowledge base);
 * - `down`: nothing listens on the port (connection refused);
 * - `slow`: every answer held back `slowMs` before being proxied;
 * - `error500`: HTTP 500 with a text body;
 * - `garbage`: HTTP 200 with a body that is not JSON.
 */
export type ArchivistMode = 'up' | 'down' | 'slow' | 'error500' | 'garbage';

export interface SwitchableArchivist {
  /** Stable URL (same port across down/up). */
  url: string;
  mode: ArchivistMode;
  slowMs: number;
  /** In mode `up`, requests whose URL contains this text are held back `slowMs` (one slow request among fast ones). */
  slowWhen?: string;
  /** Requests that reached the front (any mode but down). */
  received: number;
  setMode(mode: ArchivistMode): Promise<void>;
  close(): Promise<void>;
}

/** A real embedded Archivist behind a front whose behaviour a test switches at will. */
export async function startSwitchableArchivist({
  initialMode = 'up',
  journalFile,
}: { initialMode?: ArchivistMode; journalFile?: string } = {}): Promise<SwitchableArchivist> {
  const backend: ArchivistServer = await startArchivistServer({
    dataFiles: bundledKnowledgeBasePaths(),
    port: 0,
    journalFile,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const port = await freePort();
  const connections = new Set<Socket>();
  let server: Server | undefined;
  const state: { mode: ArchivistMode; slowMs: number; received: number; slowWhen?: string } = {
    mode: initialMode,
    slowMs: 2000,
    received: 0,
  };

  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    state.received += 1;
    const forward = (): void => {
      const proxied = httpRequest(
        { host: '127.0.0.1', port: backend.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      proxied.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(proxied);
    };
    switch (state.mode) {
      case 'error500':
        req.resume();
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error: java.lang.NullPointerException at Archivist.java:42');
        return;
      case 'garbage':
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html><body>{"fact_uid": oops</body></html>');
        return;
      case 'slow': {
        const timer = setTimeout(forward, state.slowMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      default:
        if (state.slowWhen && req.url?.includes(state.slowWhen)) setTimeout(forward, state.slowMs);
        else forward();
    }
  };

  const listen = async (): Promise<void> => {
    if (server) return;
    const s = createServer(handler);
    s.on('connection', (c) => {
      connections.add(c);
      c.on('close', () => connections.delete(c));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  const unlisten = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = undefined;
    for (const c of connections) c.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  if (initialMode !== 'down') await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(_: ArchivistMode) {
      throw new Error('use setMode()');
    },
    get slowMs() {
      return state.slowMs;
    },
    set slowMs(ms: number) {
      state.slowMs = ms;
    },
    get slowWhen() {
      return state.slowWhen;
    },
    set slowWhen(text: string | undefined) {
      state.slowWhen = text;
    },
    get received() {
      return state.received;
    },
    set received(n: number) {
      state.received = n;
    },
    async setMode(mode: ArchivistMode) {
      state.mode = mode;
      if (mode === 'down') await unlisten();
      else await listen();
    },
    async close() {
      await unlisten();
      await backend.close();
    },
  };
}
