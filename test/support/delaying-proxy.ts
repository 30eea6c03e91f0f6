import { createServer, request as httpRequest, type Server } from 'node:http';

/**
 * An HTTP proxy in front of a real server that can hold every answer back for
 * `delayMs`, to keep requests in flight (slow Archivist) on demand.
 */
export async function startDelayingProxy(target: string): Promise<{
  url: string;
  delayMs: number;
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  const state = { delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const forward = (): void => {
      const proxied = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      proxied.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(proxied);
    };
    if (state.delayMs > 0) setTimeout(forward, state.delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
