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
  openaiApiKey?: string;
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
  shutdownTimeoutMs: number;
}
