import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/support/child-process.js';
import { Redis } from 'ioredis';
import { createRedisConnection, subscriberConnectionOptions } from '../../src/redis/redis-connection.js';

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** Whether the shared local Redis answers; tests that need it skip with a reason otherwise. */
export async function redisReachable(url = LOCAL_REDIS_URL): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A command connection and a subscriber connection with Clarity's cache options. */
export function cacheConnections(url: string): { client: Redis; subscriber: Redis; close(): void } {
  const client = createRedisConnection(url);
  const subscriber = new Redis(url, subscriberConnectionOptions());
  client.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  return {
    client,
    subscriber,
    close: () => {
      client.disconnect(false);
      subscriber.disconnect(false);
    },
  };
}

/** Deletes every key under `prefix` (test clean-up on the shared Redis). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export { freePort };

/** A throw-away redis-server child process (no persistence) on `port`. */
export class RedisChild {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/ready to accept connections/i.test(output)) {
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
    });
    child.stdout?.resume();
    child.stderr?.resume();
  }

  /** Kills the server (SIGKILL: an abrupt outage). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

export function redisServerInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
