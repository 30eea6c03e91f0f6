import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './clarity-process.js';

/** Why a private redis-server cannot be started here, or undefined. */
export function redisServerUnavailable(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'redis-server is not installed';
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Starts (again) on the same port. */
  start(): Promise<void>;
  /** Kills the server (SIGKILL: an abrupt outage). */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** A redis-server child of the test on its own free port, no persistence. */
export async function privateRedis({ started = true }: { started?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const handle: PrivateRedis = {
    url,
    port,
    async start() {
      if (child) return;
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      const deadline = Date.now() + 10_000;
      for (;;) {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          if ((await probe.ping()) === 'PONG') {
            probe.disconnect();
            return;
          }
        } catch {
          probe.disconnect();
        }
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      const c = child;
      if (!c) return;
      child = undefined;
      if (c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    close: () => handle.kill(),
  };
  if (started) await handle.start();
  return handle;
}
