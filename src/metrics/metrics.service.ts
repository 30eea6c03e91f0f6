import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

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
    help: 'Socket.IO connections this process accepts at most (WS_MAX_CONNECTIONS)',
    registers: [this.registry],
  });

  /** The guide's request histogram. */
  readonly requestDuration = new Histogram({
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

  constructor(@Optional() @Inject(CONFIG) config?: AppConfig) {
    collectDefaultMetrics({ register: this.registry });
    if (config) this.wsMaxConnections.set(config.websocket.maxConnections);
    for (const status of ['accepted', 'rejected_auth', 'rejected_capacity', 'closed']) {
      this.wsConnectionsTotal.inc({ status }, 0);
    }
  }

  private readonly requestTimers = new Map<string, { observe(seconds: number): void }>();

  /**
   * Records one request in clarity_request_duration_seconds. The labelled child
   * is looked up once per (operation, category) — both come from small fixed
   * sets (route names, category names) — instead of hashing labels per request.
   */
  observeRequest(operation: string, category: string, seconds: number): void {
    const key = `${operation}\u0000${category}`;
    let timer = this.requestTimers.get(key);
    if (!timer) {
      timer = this.requestDuration.labels(operation, category);
      this.requestTimers.set(key, timer);
    }
    timer.observe(seconds);
  }

  trackOpenConnections(count: () => number): void {
    this.openConnections = count;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
