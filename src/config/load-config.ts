import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { envSchema, type ParsedEnv } from './config.schema.js';
import type { AppConfig } from './app-config.js';
import { projectRoot } from '../common/project-root.js';

/** A configuration problem; its message is one line naming the variable(s). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** A .env file read when present; variables already in env win. Default: ./.env */
  dotenvPath?: string | null;
}

/**
 * Reads and validates Clarity's configuration. This is the only place in the
 * service that reads process.env.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): AppConfig {
  const dotenvPath = options.dotenvPath === undefined ? resolve('.env') : options.dotenvPath;
  const fromFile = dotenvPath && existsSync(dotenvPath) ? dotenv.parse(readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...env };

  const result = envSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(problems.join('; '));
  }
  const e = result.data;
  checkCombinations(e);
  return toAppConfig(e);
}

function checkCombinations(e: ParsedEnv): void {
  const problems: string[] = [];
  if (e.JWT_SECRET !== undefined && e.JWT_SECRET.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  }
  if (e.JWT_SECRET !== undefined && e.JWT_PUBLIC_KEY !== undefined) {
    problems.push('JWT_SECRET and JWT_PUBLIC_KEY are exclusive: set one of them');
  }
  if (e.NODE_ENV === 'production') {
    if (!e.JWT_SECRET && !e.JWT_PUBLIC_KEY) {
      problems.push('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
    }
    if (!e.POSTGRES_HOST) problems.push('POSTGRES_HOST is required when NODE_ENV=production');
    if (!e.ARCHIVIST_URL) problems.push('ARCHIVIST_URL is required when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
}

/** The hosted OpenAI API, when OPENAI_BASE_URL is not set. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(projectRoot(), 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function toAppConfig(e: ParsedEnv): AppConfig {
  const env = e.NODE_ENV ?? 'development';
  const redisUrl = e.REDIS_URL ?? (e.REDIS_HOST ? `redis://${e.REDIS_HOST}:${e.REDIS_PORT}` : undefined);
  const transports = (e.WS_TRANSPORTS ?? 'websocket').split(',') as Array<'websocket' | 'polling'>;
  return {
    env,
    version: readVersion(),
    http: { port: e.RELICA_CLARITY_API_PORT, host: e.RELICA_CLARITY_API_HOST, corsOrigins: e.CORS_ORIGIN },
    database: {
      host: e.POSTGRES_HOST,
      port: e.POSTGRES_PORT,
      user: e.POSTGRES_USER,
      password: e.POSTGRES_PASSWORD,
      database: e.POSTGRES_DB,
      maxConnections: e.POSTGRES_MAX_CONNECTIONS,
      idleTimeoutMs: e.POSTGRES_IDLE_TIMEOUT,
      connectionTimeoutMs: e.POSTGRES_CONNECTION_TIMEOUT,
      migrationsRun: e.MIGRATIONS_RUN,
      embedded: { dataDir: resolve(e.EMBEDDED_POSTGRES_DIR), port: e.EMBEDDED_POSTGRES_PORT },
    },
    archivist: {
      url: e.ARCHIVIST_URL,
      timeoutMs: e.ARCHIVIST_TIMEOUT,
      retryAttempts: e.ARCHIVIST_RETRY_ATTEMPTS,
      dataFiles: e.ARCHIVIST_DATA.map((p) => resolve(p)),
      journalFile: resolve(e.ARCHIVIST_JOURNAL),
    },
    ai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL ?? DEFAULT_OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      timeoutMs: e.AI_TIMEOUT_MS,
      rateLimitPerMinute: e.AI_RATE_LIMIT,
    },
    changeLogOutboxFile: resolve(e.CHANGE_LOG_OUTBOX),
    logging: {
      level: e.LOG_LEVEL ?? (env === 'production' ? 'info' : env === 'test' ? 'warn' : 'info'),
      format: e.LOG_FORMAT ?? (env === 'production' ? 'json' : 'simple'),
      dir: resolve(e.LOG_DIR),
      files: e.LOG_FILES ?? env !== 'test',
    },
    websocket: {
      corsOrigins: e.WS_CORS_ORIGIN,
      maxConnections: e.WS_MAX_CONNECTIONS,
      pingTimeoutMs: e.WS_PING_TIMEOUT,
      pingIntervalMs: e.WS_PING_INTERVAL,
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      rateLimitPerSecond: e.WS_RATE_LIMIT,
      transports,
    },
    jwt: {
      secret: e.JWT_SECRET,
      publicKey: e.JWT_PUBLIC_KEY,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    redis: { url: redisUrl },
    cache: { ttlSeconds: e.CACHE_TTL_SECONDS, maxEntries: e.CACHE_MAX_ENTRIES, maxMb: e.CACHE_MAX_MB },
    debugEndpoints: e.DEBUG_ENDPOINTS,
    apiDocs: e.API_DOCS ?? env !== 'production',
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    quotas: {
      connectionsPerUser: e.WS_MAX_CONNECTIONS_PER_USER,
      subscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS,
      sessionsPerUser: e.SESSIONS_PER_USER,
      sessionStateMaxBytes: e.SESSION_STATE_MAX_BYTES,
      sessionStoragePerUserBytes: e.SESSION_STORAGE_PER_USER_MB * 1024 * 1024,
    },
  };
}
