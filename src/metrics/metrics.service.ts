import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SeriesHistogram, type HistogramSeries } from './series-histogram.js';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

/** The quotas of spec §3, as the `quota` label of the quota metrics (never a user id). */
export type QuotaName =
  | 'connections_per_user'
  | 'subscriptions_per_socket'
  | 'sessions_per_user'
  | 'session_state_bytes'
  | 'session_storage_bytes_per_user';

export const QUOTA_NAMES: readonly QuotaName[] = [
  'connections_per_user',
  'subscriptions_per_socket',
  'sessions_per_user',
  'session_state_bytes',
  'session_storage_bytes_per_user',
];

/**
 * Outcomes of an AI draft: `success`; `provider_error` (AI_ERROR); `unavailable` (provider
 * refused the connection or could not be reached) and `timeout` (AI_TIMEOUT_MS passed),
 * both AI_UNAVAILABLE; `disabled` (no key); `rate_limited`; `invalid` (unknown or
 * non-kind supertype); `cancelled` (the client left); `failed` (anything else, e.g. the
 * Archivist down while reading the hierarchy).
 */
export const AI_OUTCOMES = [
  'success',
  'provider_error',
  'unavailable',
  'timeout',
  'disabled',
  'rate_limited',
  'invalid',
  'cancelled',
  'failed',
] as const;
export type AiOutcome = (typeof AI_OUTCOMES)[number];

/**
 * Clarity's Prometheus metrics, on a registry of its own (several app instances
 * can live in one test process). Labels never carry user data: operation and
 * category names, endpoints and outcomes only.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** The guide's connection counter: accepted, rejected_auth, rejected_capacity, closed. */
  readonly wsConnectionsTotal = new Counter({
    name: 'clarity_websocket_connections_total',
    help: 'Total number of WebSocket connections by outcome',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private openConnections: () => number = () => 0;

  /** Read at scrape time from the gateway's exact count, so the gauge cannot drift. */
  readonly wsOpenConnections = new Gauge({
    name: 'clarity_websocket_connections_open',
    help: 'Socket.IO connections currently open on this process',
    registers: [this.registry],
    collect: () => {
      this.wsOpenConnections.set(this.openConnections());
    },
  });

  /** WS_MAX_CONNECTIONS, so that alerts and dashboards can compare the open count with it. */
  readonly wsMaxConnections = new Gauge({
    name: 'clarity_websocket_connections_max',
    help: 'Connection cap of this process (WS_MAX_CONNECTIONS)',
    registers: [this.registry],
  });

  /** The guide's request histogram. */
  readonly requestDuration = new SeriesHistogram({
    name: 'clarity_request_duration_seconds',
    help: 'Duration of semantic operations',
    labelNames: ['operation', 'category'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly archivistRequestsTotal = new Counter({
    name: 'clarity_archivist_requests_total',
    help: 'Archivist HTTP calls by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly archivistRequestDuration = new Histogram({
    name: 'clarity_archivist_request_duration_seconds',
    help: 'Duration of Archivist HTTP calls',
    labelNames: ['endpoint'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly cacheHits = new Counter({
    name: 'clarity_cache_hits_total',
    help: 'Archivist read cache hits by level (memory, redis)',
    labelNames: ['level'] as const,
    registers: [this.registry],
  });

  readonly cacheMisses = new Counter({
    name: 'clarity_cache_misses_total',
    help: 'Archivist read cache misses',
    registers: [this.registry],
  });

  readonly archivistBreakerState = new Gauge({
    name: 'clarity_archivist_circuit_state',
    help: 'Archivist circuit breaker: 0 closed, 1 half-open, 2 open',
    registers: [this.registry],
  });

  /** AI drafts (spec §10) by outcome: see AI_OUTCOMES. */
  readonly aiRequestsTotal = new Counter({
    name: 'clarity_ai_requests_total',
    help: 'AI definition drafts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Time of the calls that reached the AI provider (whatever their outcome). */
  readonly aiRequestDuration = new Histogram({
    name: 'clarity_ai_request_duration_seconds',
    help: 'Duration of AI provider calls (drafts that reached the provider)',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [this.registry],
  });

  /** Tokens the provider reported using (`usage`), by kind: prompt or completion. */
  readonly aiTokensTotal = new Counter({
    name: 'clarity_ai_tokens_total',
    help: 'Tokens reported by the AI provider, by kind (prompt, completion)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  /** Refusals with QUOTA_EXCEEDED, by quota (spec §3 "Quotas"); no user ids. */
  readonly quotaRejections = new Counter({
    name: 'clarity_quota_rejections_total',
    help: 'Requests and handshakes refused with QUOTA_EXCEEDED, by quota',
    labelNames: ['quota'] as const,
    registers: [this.registry],
  });

  /** The configured limits, so dashboards can show them beside the refusals (counts or bytes). */
  readonly quotaLimits = new Gauge({
    name: 'clarity_quota_limit',
    help: 'Configured quota limits (connections, subscriptions, sessions: a count; session_*_bytes: bytes)',
    labelNames: ['quota'] as const,
    registers: [this.registry],
  });

  private readonly cacheSizes = new Map<string, () => number>();

  /** Bytes held by each in-process cache (their shares of CACHE_MAX_MB), read at scrape time. */
  readonly cacheBytes = new Gauge({
    name: 'clarity_cache_bytes',
    help: 'Estimated bytes held by the in-process caches (archivist, facts, views, models), bounded by CACHE_MAX_MB',
    labelNames: ['cache'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [cache, bytes] of this.cacheSizes) this.cacheBytes.set({ cache }, bytes());
    },
  });

  /** Reports a cache's size in clarity_cache_bytes{cache}. */
  trackCacheBytes(cache: string, bytes: () => number): void {
    this.cacheSizes.set(cache, bytes);
  }

  private changeLogBacklog: () => number = () => 0;

  /** Change-log rows of accepted writes not yet in PostgreSQL (queued in the outbox file), read at scrape time. */
  readonly changeLogOutboxPending = new Gauge({
    name: 'clarity_change_log_outbox_pending',
    help: 'Change-log rows of accepted writes waiting in the outbox (CHANGE_LOG_OUTBOX) for PostgreSQL',
    registers: [this.registry],
    collect: () => {
      this.changeLogOutboxPending.set(this.changeLogBacklog());
    },
  });

  /** Reports the change-log outbox's backlog in clarity_change_log_outbox_pending. */
  trackChangeLogOutbox(pending: () => number): void {
    this.changeLogBacklog = pending;
  }

  constructor(@Optional() @Inject(CONFIG) config?: AppConfig) {
    collectDefaultMetrics({ register: this.registry });
    if (config) this.wsMaxConnections.set(config.websocket.maxConnections);
    for (const status of ['accepted', 'rejected_auth', 'rejected_capacity', 'closed']) {
      this.wsConnectionsTotal.inc({ status }, 0);
    }
    for (const outcome of AI_OUTCOMES) this.aiRequestsTotal.inc({ outcome }, 0);
    for (const kind of ['prompt', 'completion']) this.aiTokensTotal.inc({ kind }, 0);
    for (const quota of QUOTA_NAMES) this.quotaRejections.inc({ quota }, 0);
    if (config) {
      const q = config.quotas;
      this.quotaLimits.set({ quota: 'connections_per_user' }, q.connectionsPerUser);
      this.quotaLimits.set({ quota: 'subscriptions_per_socket' }, q.subscriptionsPerSocket);
      this.quotaLimits.set({ quota: 'sessions_per_user' }, q.sessionsPerUser);
      this.quotaLimits.set({ quota: 'session_state_bytes' }, q.sessionStateMaxBytes);
      this.quotaLimits.set({ quota: 'session_storage_bytes_per_user' }, q.sessionStoragePerUserBytes);
    }
  }

  /** One refusal with QUOTA_EXCEEDED. */
  quotaRejected(quota: QuotaName): void {
    this.quotaRejections.inc({ quota });
  }

  /**
   * The series of clarity_request_duration_seconds for one (operation, category): a
   * caller on the request path keeps it and records each request with `observe`
   * (RequestMetrics does, per route and category).
   */
  requestSeries(operation: string, category: string): HistogramSeries {
    return this.requestDuration.series(operation, category);
  }

  trackOpenConnections(count: () => number): void {
    this.openConnections = count;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
