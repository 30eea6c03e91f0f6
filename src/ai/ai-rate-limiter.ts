import type { Redis } from 'ioredis';
import { withTimeout } from '../common/with-timeout.js';

/** The limit's window: AI_RATE_LIMIT is "per minute". */
export const WINDOW_MS = 60_000;
const REDIS_TIMEOUT_MS = 500;
const KEY_PREFIX = 'clarity:ai-rate:';

/**
 * Per-user fixed-window counters in process memory: at most `limit` takes per user in
 * each clock minute. Windows of past minutes are dropped when a new minute starts, so
 * the map holds at most the users of the current minute.
 */
export class FixedWindowCounter {
  private readonly counts = new Map<string, number>();
  private window = -1;

  /** Counts one take for `key`; false when the key already had `limit` in this window. */
  take(key: string, limit: number, now = Date.now()): boolean {
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.counts.clear();
      this.window = window;
    }
    const count = this.counts.get(key) ?? 0;
    if (count >= limit) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  get size(): number {
    return this.counts.size;
  }
}

export interface RateLimiterLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

/**
 * The per-user AI rate limit (AI_RATE_LIMIT per minute). With Redis configured the
 * count is shared by every replica (INCR of `clarity:ai-rate:<user>:<minute>`, expiring
 * with its minute), so a user gets `limit` drafts per minute in all; without Redis, or
 * while Redis does not answer, each process counts for itself (in-process counter).
 * Fixed windows: a user may get up to twice the limit across a minute boundary.
 */
export class AiRateLimiter {
  private readonly local = new FixedWindowCounter();
  private redisWarned = false;

  constructor(
    readonly limit: number,
    private readonly redis: Redis | undefined,
    private readonly logger?: RateLimiterLogger,
  ) {}

  async tryTake(userId: string, now = Date.now()): Promise<boolean> {
    if (this.redis && this.redis.status === 'ready') {
      const window = Math.floor(now / WINDOW_MS);
      const key = `${KEY_PREFIX}${userId}:${window}`;
      try {
        const results = await withTimeout(
          this.redis
            .multi()
            .incr(key)
            .pexpire(key, WINDOW_MS * 2)
            .exec(),
          REDIS_TIMEOUT_MS,
        );
        const count = Number(results?.[0]?.[1]);
        if (Number.isFinite(count)) {
          this.redisWarned = false;
          return count <= this.limit;
        }
      } catch (error) {
        if (!this.redisWarned) {
          this.redisWarned = true;
          this.logger?.warn(
            `AI rate limit: Redis did not answer (${error instanceof Error ? error.message : 'error'}); counting in this process`,
            { context: 'AI' },
          );
        }
      }
    }
    return this.local.take(userId, this.limit, now);
  }
}
