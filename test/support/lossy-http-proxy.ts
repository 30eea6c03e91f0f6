import { createServer, request as httpRequest, type Server } from 'node:http';

/**
 * An HTTP proxy in front of a real server (the embedded Archivist) that a test can
 * make lose things:
 * - `arm('after')`: the next POST /fact/facts reaches the server, its answer is dropped;
 * - `arm('before')`: the next POST /fact/facts is reset before it is forwarded;
 * - `arm('after-then-down')`: as 'after', and every request from then on is reset
 *   until `restore()` (the answer is lost and the server cannot be read back);
 * - `arm('hold')`: the next POST /fact/facts reaches the server and its answer is held,
 *   never sent (`held()` resolves once the server has answered it): a client that dies
 *   while waiting;
 * - `down()` / `restore()`: every request reset / forwarded again.
 */
export interface LossyHttpProxy {
  url: string;
  arm(mode: 'after' | 'before' | 'after-then-down' | 'hold'): void;
  /** Resolves when a held answer has come from the server. */
  held(): Promise<void>;
  down(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLossyHttpProxy(target: string): Promise<LossyHttpProxy> {
  const upstream = new URL(target);
  let heldAnswer: () => void = () => undefined;
  let heldPromise = new Promise<void>((resolve) => (heldAnswer = resolve));
  const state: { mode: 'after' | 'before' | 'after-then-down' | 'hold' | 'none'; down: boolean } = {
    mode: 'none',
    down: false,
  };
  const server: Server = createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const lose = req.url?.startsWith('/fact/facts') ? state.mode : 'none';
    if (lose !== 'none') state.mode = 'none';
    if (lose === 'before') {
      req.socket.destroy();
      return;
    }
    const proxied = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (lose === 'hold') {
          answer.resume();
          answer.on('end', () => heldAnswer());
          return;
        }
        if (lose === 'after' || lose === 'after-then-down') {
          if (lose === 'after-then-down') state.down = true;
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on('error', () => req.socket.destroy());
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    arm(mode) {
      state.mode = mode;
      if (mode === 'hold') heldPromise = new Promise<void>((resolve) => (heldAnswer = resolve));
    },
    held: () => heldPromise,
    down() {
      state.down = true;
    },
    restore() {
      state.down = false;
      state.mode = 'none';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
