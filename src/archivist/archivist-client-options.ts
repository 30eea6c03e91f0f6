import type { MetricsService } from '../metrics/metrics.service.js';
import type { ArchivistRedisOptions } from './archivist-cache.js';
import type { ArchivistLogger } from './archivist-logger.js';

/**
 * Defaults of the resilience settings (spec §6 "client duties"):
 *
 * - retries of reads: exponential back-off with decorrelated jitter starting at
 *   100 ms, at most 2 s between attempts (cockatiel's ExponentialBackoff);
 * - circuit breaker: opens after 5 consecutive failed calls (timeouts, network
 *   errors, 5xx — each attempt counts, so with 3 retries two failing reads open
 *   it), fails fast while open, lets one trial call through after 5 s
 *   (half-open) and closes again when that call succeeds;
 * - health ping: 1.5 s, bypassing the breaker.
 */
export const ARCHIVIST_DEFAULTS = {
  retryInitialDelayMs: 100,
  retryMaxDelayMs: 2000,
  breakerConsecutiveFailures: 5,
  breakerHalfOpenAfterMs: 5000,
  pingTimeoutMs: 1500,
  cacheMaxEntries: 10000,
  cacheTtlSeconds: 300,
} as const;

export interface ArchivistClientOptions {
  /** e.g. http://archivist:3000 */
  baseUrl: string;
  /** Deadline of one HTTP call (ARCHIVIST_TIMEOUT). */
  timeoutMs: number;
  /** Retries of a failed read (ARCHIVIST_RETRY_ATTEMPTS); writes are never retried blindly. */
  retryAttempts: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** In-process cache bounds: entries, and bytes (CACHE_MAX_MB's archivist share; default 40% of 256 MB). */
  cache?: { maxEntries?: number; ttlSeconds?: number; maxBytes?: number };
  /** Shared second-level cache and cross-replica invalidation. */
  redis?: ArchivistRedisOptions;
  metrics?: MetricsService;
  logger?: ArchivistLogger;
  /** Timeout of ping() (health / readiness). */
  pingTimeoutMs?: number;
}
