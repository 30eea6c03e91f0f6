import { Redis, type RedisOptions } from 'ioredis';
import { withTimeout } from '../common/with-timeout.js';

/** How long one Redis command may take before it fails (a dead Redis must not slow requests). */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** How long a (re)connection attempt may take. */
export const REDIS_CONNECT_TIMEOUT_MS = 2000;
/** Reconnection back-off: 100 ms, 200 ms, … capped at this many milliseconds, forever. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Connection options for a cache connection: short command and connect
 * timeouts, no per-command retries and no offline queue (a command issued
 * while Redis is away fails at once and the caller falls back), and endless
 * reconnection with a capped back-off so the connection comes back by itself.
 */
export function cacheConnectionOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    retryStrategy: (times: number) => Math.min(times * 100, REDIS_MAX_RECONNECT_DELAY_MS),
    ...overrides,
  };
}

/**
 * Options for a subscriber connection (pub/sub): the SUBSCRIBE issued before the
 * first connection is queued, and ioredis re-subscribes after a reconnection.
 * No command timeout: a subscriber waits for messages indefinitely. No retry
 * limit either: a SUBSCRIBE queued while Redis is down at start-up must wait for
 * the first connection (with a limit it failed after the first refused attempt
 * and the channel was never subscribed, even once Redis came up).
 */
export function subscriberConnectionOptions(overrides: RedisOptions = {}): RedisOptions {
  return cacheConnectionOptions({
    commandTimeout: undefined,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
    ...overrides,
  });
}

/**
 * Opens an ioredis connection to `url` with the cache options. The caller owns
 * it (quit() it when done) and should attach an 'error' listener.
 */
export function createRedisConnection(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, cacheConnectionOptions(overrides));
}

/** Closes a connection politely (QUIT), or forcibly when Redis does not answer; resolves once it has ended. */
export async function closeRedisConnection(connection: Redis, timeoutMs = 1000): Promise<void> {
  if (connection.status === 'end') return;
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  if (connection.status === 'ready') {
    await connection.quit().catch(() => undefined);
  } else {
    connection.disconnect(false);
  }
  await Promise.race([ended, late]);
  clearTimeout(timer);
  if ((connection.status as string) !== 'end') {
    connection.disconnect(false);
    await Promise.race([ended, new Promise((r) => setTimeout(r, 100))]);
  }
}

/** For health: PING within `timeoutMs`; 'unavailable' when not ready, late or failing. */
export async function pingRedis(client: Redis, timeoutMs: number): Promise<'connected' | 'unavailable'> {
  if (client.status !== 'ready') return 'unavailable';
  try {
    return (await withTimeout(client.ping(), timeoutMs)) === 'PONG' ? 'connected' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}
