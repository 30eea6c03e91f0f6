import type { LogLevel } from './config.schema.js';

/** Clarity's typed configuration, built once at start-up from the environment. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  version: string;
  http: { port: number; host: string; corsOrigins: string[] };
  database: {
    /** undefined → an embedded PostgreSQL is started (not allowed in production). */
    host?: string;
    port: number;
    user: string;
    password?: string;
    database: string;
    maxConnections: number;
    idleTimeoutMs: number;
    connectionTimeoutMs: number;
    migrationsRun: boolean;
    embedded: { dataDir: string; port: number };
  };
  archivist: {
    /** undefined → the embedded Archivist is started on a loopback port. */
    url?: string;
    timeoutMs: number;
    retryAttempts: number;
    dataFiles: string[];
    journalFile: string;
  };
  /** AI-drafted definitions (spec §10): any OpenAI-compatible chat-completions API. */
  ai: {
    /** undefined → the feature answers AI_UNAVAILABLE. A secret: never logged, answered or exported. */
    apiKey?: string;
    /** Base URL of the API, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (Ollama). */
    baseUrl: string;
    model: string;
    timeoutMs: number;
    /** Drafts per user per minute. */
    rateLimitPerMinute: number;
  };
  /** Append-only file holding change-log rows not yet written to PostgreSQL (spec §8, one file per process). */
  changeLogOutboxFile: string;
  logging: { level: LogLevel; format: 'json' | 'simple'; dir: string; files: boolean };
  websocket: {
    corsOrigins: string[];
    maxConnections: number;
    pingTimeoutMs: number;
    pingIntervalMs: number;
    maxPayloadBytes: number;
    rateLimitPerSecond: number;
    transports: Array<'websocket' | 'polling'>;
  };
  jwt: {
    /** HS256 secret; undefined with no public key in development → ephemeral secret. */
    secret?: string;
    publicKey?: string;
    issuer?: string;
    audience?: string;
  };
  redis: { url?: string };
  /** maxMb: CACHE_MAX_MB, the in-process caches together (shared as in cache-budget.ts). */
  cache: { ttlSeconds: number; maxEntries: number; maxMb: number };
  debugEndpoints: boolean;
  /** OpenAPI document at /api-json and Swagger UI at /api (default: on except in production). */
  apiDocs: boolean;
  shutdownTimeoutMs: number;
  /** Per-user and per-socket limits (spec §3 "Quotas"); each refusal is QUOTA_EXCEEDED naming the limit. */
  quotas: {
    /** WS_MAX_CONNECTIONS_PER_USER: live sockets of one user (token `sub`), over all replicas when Redis is configured. */
    connectionsPerUser: number;
    /** WS_MAX_SUBSCRIPTIONS: `clarity.model/subscribe` rooms of one socket. */
    subscriptionsPerSocket: number;
    /** SESSIONS_PER_USER: modelling sessions of one user (counted in PostgreSQL). */
    sessionsPerUser: number;
    /** SESSION_STATE_MAX_BYTES: UTF-8 bytes of one session's serialized state. */
    sessionStateMaxBytes: number;
    /** SESSION_STORAGE_PER_USER_MB in bytes: all of one user's session states together. */
    sessionStoragePerUserBytes: number;
  };
}
