/**
 * Child process of the connection-scale scenario (started with a raised
 * open-file limit): opens `count` authenticated sockets to one Clarity, holds
 * them for `holdMs` while the server pings, counts disconnects and pings, then
 * checks that one more socket is refused, closes everything and exits.
 * Input: one JSON argument {url, token, count, holdMs, parallel}.
 * Output: one JSON object per line on stdout: {"phase":"opened"|"held"|"extra"|"done", ...}.
 */
import type { Socket } from 'socket.io-client';
import { ConnectRefused, connectSocket } from './socket-harness.js';

interface FleetInput {
  url: string;
  token: string;
  count: number;
  holdMs: number;
  parallel: number;
}

function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as FleetInput;
  const sockets: Socket[] = [];
  const failures: Record<string, number> = {};
  let unexpectedDisconnects = 0;
  let pings = 0;
  let holding = false;

  const started = performance.now();
  let nextIndex = 0;
  await Promise.all(
    Array.from({ length: Math.min(input.parallel, input.count) }, async () => {
      while (nextIndex < input.count) {
        nextIndex++;
        try {
          const socket = await connectSocket(input.url, input.token);
          sockets.push(socket);
          socket.io.on('ping', () => pings++);
          socket.on('disconnect', () => {
            if (holding) unexpectedDisconnects++;
          });
        } catch (error) {
          const key = error instanceof ConnectRefused ? (error.code ?? error.message) : String(error);
          failures[key] = (failures[key] ?? 0) + 1;
        }
      }
    }),
  );
  const openMs = performance.now() - started;
  emit({
    phase: 'opened',
    opened: sockets.length,
    failures,
    seconds: openMs / 1000,
    handshakesPerSecond: sockets.length / (openMs / 1000),
  });

  holding = true;
  let disconnectedDuringHold = 0;
  await new Promise((r) => setTimeout(r, input.holdMs));
  holding = false;
  disconnectedDuringHold = sockets.filter((s) => !s.connected).length;
  emit({
    phase: 'held',
    stillConnected: sockets.length - disconnectedDuringHold,
    unexpectedDisconnects,
    pingsReceived: pings,
    pingsPerSocket: sockets.length ? pings / sockets.length : 0,
  });

  let extra: Record<string, unknown>;
  try {
    const socket = await connectSocket(input.url, input.token);
    socket.close();
    extra = { refused: false, code: null, message: 'connected' };
  } catch (error) {
    extra = {
      refused: true,
      code: error instanceof ConnectRefused ? (error.code ?? null) : null,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  emit({ phase: 'extra', ...extra });

  for (const socket of sockets) socket.close();
  emit({ phase: 'done' });
  setTimeout(() => process.exit(0), 200);
}

main().catch((error: unknown) => {
  emit({ phase: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
