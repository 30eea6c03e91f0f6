/**
 * The ceiling of the benchmark: a bare Socket.IO server (the same `socket.io`
 * version Clarity uses, WebSocket transport) that acks every event with a response
 * envelope and does nothing else. Run as a child process; it prints `{"port":N}` once
 * listening and exits on SIGTERM:
 *
 * - `node dist/scripts/bench/bare-server.js` — a small envelope (scenario 1);
 * - `node dist/scripts/bench/bare-server.js --padding N` — the envelope carries a string
 *   of N more bytes (scenario 1c: answers of a model's size, but one string to decode);
 * - `node dist/scripts/bench/bare-server.js --answers FILE` — FILE maps uids to the JSON
 *   text of Clarity's warm answers (`data`), and a request `{uid}` gets exactly that
 *   answer, its text spliced into the envelope as Clarity splices its memoised answers
 *   (scenario 1b: the same bytes, so the clients' share of the work is the same and the
 *   difference is what Clarity does per request beyond the transport).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { PreEncodedJson, preEncodedParser } from '../../src/gateway/pre-encoded-parser.js';

const flag = process.argv[2];
const value = process.argv[3] ?? '';
const padding = flag === '--padding' ? 'x'.repeat(Number(value) || 0) : '';
const data = padding ? { ok: true, padding } : { ok: true };
const answers =
  flag === '--answers'
    ? new Map(Object.entries(JSON.parse(readFileSync(value, 'utf8')) as Record<string, string>))
    : undefined;

const http = createServer();
// Scenarios 1 and 1c keep socket.io's own encoder; 1b needs the splicing one for its texts.
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  ...(answers ? { parser: preEncodedParser } : {}),
});

/** The request's parameters and correlation id: the clients send the platform's wrapper `{id, type, payload}`. */
function unwrap(message: unknown): { uid: unknown; correlationId?: string } {
  if (typeof message !== 'object' || message === null) return { uid: undefined };
  const wrapper = message as { id?: unknown; type?: unknown; payload?: { uid?: unknown } };
  if (wrapper.type === 'request') {
    return { uid: wrapper.payload?.uid, correlationId: wrapper.id === undefined ? undefined : String(wrapper.id) };
  }
  return { uid: (message as { uid?: unknown }).uid };
}

function answerTo(message: unknown): unknown {
  const { uid, correlationId } = unwrap(message);
  const text = answers?.get(String(uid));
  if (text === undefined) return { id: randomUUID(), type: 'response', success: true, data, timestamp: Date.now() };
  // The envelope Clarity writes (src/gateway/envelope.ts), the client's correlation id echoed as Clarity does.
  const cid = correlationId === undefined ? '' : `,"correlationId":${JSON.stringify(correlationId)}`;
  return new PreEncodedJson(
    `{"id":"${randomUUID()}","type":"response","success":true,"data":${text}${cid},"timestamp":${Date.now()}}`,
  );
}

io.on('connection', (socket) => {
  socket.onAny((_event: string, ...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (typeof ack === 'function') ack(answerTo(args[0]));
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
