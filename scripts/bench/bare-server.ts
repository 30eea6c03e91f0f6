/**
 * The ceiling of the benchmark: a bare Socket.IO server (the same `socket.io`
 * version Clarity uses, WebSocket transport) that acks every event with a small
 * response envelope and does nothing else. Run as a child process:
 * `node dist/scripts/bench/bare-server.js [PADDING_BYTES]` prints `{"port":N}` once listening
 * and exits on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

// Optional padding (bytes of a string field), to compare with answers the size of a model.
const padding = 'x'.repeat(Number(process.argv[2] ?? 0) || 0);
const data = padding ? { ok: true, padding } : { ok: true };

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });

io.on('connection', (socket) => {
  socket.onAny((_event: string, ...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (typeof ack === 'function') {
      ack({ id: randomUUID(), type: 'response', success: true, data, timestamp: Date.now() });
    }
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.on('SIGTERM', () => {
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
