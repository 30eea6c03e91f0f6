import { z } from 'zod';

/**
 * Every environment variable Clarity reads, with its documented default
 * (deployment guide + spec §2). Values arrive as strings; each builder turns one
 * into a typed value or reports "<VAR> must be …, got "<value>"".
 */

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Thrown by a parser to report why a value is wrong ("must be …, got …"). */
class Invalid extends Error {}

/**
 * One environment variable: blank or unset gives `fallback`; otherwise `parse`
 * turns the trimmed text into the typed value or throws Invalid with the
 * problem, which becomes "<VAR> <problem>".
 */
function variable<T, F = T>(fallback: F, parse: (text: string) => T) {
  return z
    .string()
    .optional()
    .transform((value, ctx): T | F => {
      const text = value?.trim();
      if (!text) return fallback;
      try {
        return parse(text);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    });
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An integer within [min, max]; `what` describes it in the error message. */
function int(defaultValue: number, min: number, max: number, what: string) {
  return variable(defaultValue, (text) => {
    const n = /^[+-]?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Invalid(`must be ${what}, got "${text}"`);
    return n;
  });
}

const port = (defaultValue: number) => int(defaultValue, 1, 65535, 'a port number');
const positive = (defaultValue: number, what = 'a positive integer') =>
  int(defaultValue, 1, Number.MAX_SAFE_INTEGER, what);
const nonNegative = (defaultValue: number) => int(defaultValue, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');

const optionalString = () => variable(undefined, (text) => text);
const stringWithDefault = (defaultValue: string) => variable(defaultValue, (text) => text);

function oneOf<T extends string, D extends T | undefined>(values: readonly T[], defaultValue: D) {
  return variable<T, D>(defaultValue, (text) => {
    const lower = text.toLowerCase() as T;
    if (!values.includes(lower)) throw new Invalid(`must be one of ${values.join('|')}, got "${text}"`);
    return lower;
  });
}

function bool<D extends boolean | undefined>(defaultValue: D) {
  return variable<boolean, D>(defaultValue, (text) => {
    const lower = text.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    throw new Invalid(`must be true or false, got "${text}"`);
  });
}

/** A comma-separated list; each entry must be an http(s) origin or "*". */
function originList() {
  return variable<string[]>([], (text) => {
    const items = list(text);
    for (const item of items) {
      if (item !== '*' && !/^https?:\/\/[^\s/]+$/i.test(item)) {
        throw new Invalid(`must be a comma-separated list of origins like https://app.example.com, got "${item}"`);
      }
    }
    return items;
  });
}

const pathList = () => variable<string[]>([], list);

/** A URL with one of `protocols` (e.g. ['http:', 'https:']); a trailing slash is dropped. */
function url(what: string, protocols: readonly string[]) {
  return variable(undefined, (text) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol)) throw new Invalid(`must be ${what}, got "${text}"`);
    return text.replace(/\/+$/, '');
  });
}

/** Multi-line PEM keys are often given with literal "\n" in env files. */
function pem() {
  return variable(undefined, (text) => {
    const key = text.replace(/\\n/g, '\n');
    if (!/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(key)) {
      throw new Invalid('must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
    }
    return key;
  });
}

export const envSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test'] as const, 'development'),
  RELICA_CLARITY_API_PORT: port(3001),
  RELICA_CLARITY_API_HOST: stringWithDefault('0.0.0.0'),

  POSTGRES_HOST: optionalString(),
  POSTGRES_PORT: port(5432),
  POSTGRES_USER: stringWithDefault('postgres'),
  POSTGRES_PASSWORD: optionalString(),
  POSTGRES_DB: stringWithDefault('clarity_db'),
  POSTGRES_MAX_CONNECTIONS: int(50, 1, 10000, 'an integer between 1 and 10000'),
  POSTGRES_IDLE_TIMEOUT: nonNegative(10000),
  POSTGRES_CONNECTION_TIMEOUT: positive(5000, 'a positive number of milliseconds'),
  EMBEDDED_POSTGRES_DIR: stringWithDefault('.data/postgres'),
  EMBEDDED_POSTGRES_PORT: port(54329),
  MIGRATIONS_RUN: bool(true),

  ARCHIVIST_URL: url('an http(s) URL', ['http:', 'https:']),
  ARCHIVIST_TIMEOUT: positive(30000, 'a positive number of milliseconds'),
  ARCHIVIST_RETRY_ATTEMPTS: int(3, 0, 10, 'an integer between 0 and 10'),
  ARCHIVIST_DATA: pathList(),
  ARCHIVIST_JOURNAL: stringWithDefault('.data/archivist-journal.jsonl'),
  CHANGE_LOG_OUTBOX: stringWithDefault('.data/change-log-outbox.jsonl'),

  OPENAI_API_KEY: optionalString(),
  OPENAI_BASE_URL: url('an http(s) URL', ['http:', 'https:']),
  OPENAI_MODEL: stringWithDefault('gpt-4o-mini'),
  AI_TIMEOUT_MS: int(30000, 100, 600_000, 'a number of milliseconds between 100 and 600000'),
  AI_RATE_LIMIT: positive(10, 'a positive number of requests per minute'),

  LOG_LEVEL: oneOf(LOG_LEVELS, undefined),
  LOG_FORMAT: oneOf(['json', 'simple'] as const, undefined),
  LOG_DIR: stringWithDefault('logs'),
  LOG_FILES: bool(undefined),

  CORS_ORIGIN: originList(),
  WS_CORS_ORIGIN: originList(),
  WS_MAX_CONNECTIONS: positive(1000),
  WS_PING_TIMEOUT: positive(60000, 'a positive number of milliseconds'),
  WS_PING_INTERVAL: positive(25000, 'a positive number of milliseconds'),
  WS_MAX_PAYLOAD_BYTES: int(1_000_000, 1024, 100_000_000, 'a number of bytes between 1024 and 100000000'),
  WS_RATE_LIMIT: positive(100, 'a positive number of requests per second'),
  WS_TRANSPORTS: oneOf(['websocket', 'websocket,polling', 'polling,websocket'] as const, 'websocket'),

  JWT_SECRET: optionalString(),
  JWT_PUBLIC_KEY: pem(),
  JWT_ISSUER: optionalString(),
  JWT_AUDIENCE: optionalString(),

  REDIS_URL: url('a redis:// or rediss:// URL', ['redis:', 'rediss:']),
  REDIS_HOST: optionalString(),
  REDIS_PORT: port(6379),
  CACHE_TTL_SECONDS: positive(300, 'a positive number of seconds'),
  CACHE_MAX_ENTRIES: positive(10000),
  CACHE_MAX_MB: positive(256, 'a positive number of megabytes'),

  DEBUG_ENDPOINTS: bool(false),
  API_DOCS: bool(undefined),
  SHUTDOWN_TIMEOUT_MS: positive(10000, 'a positive number of milliseconds'),

  // Per-user and per-socket quotas (spec §3 "Quotas"), each refused with QUOTA_EXCEEDED.
  WS_MAX_CONNECTIONS_PER_USER: positive(20),
  WS_MAX_SUBSCRIPTIONS: positive(1000),
  SESSIONS_PER_USER: positive(1000),
  SESSION_STATE_MAX_BYTES: positive(1_048_576, 'a positive number of bytes'),
  SESSION_STORAGE_PER_USER_MB: positive(100, 'a positive number of megabytes'),
});

export type RawEnv = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;
export const ENV_VARIABLES = Object.keys(envSchema.shape) as ReadonlyArray<keyof ParsedEnv>;
export type LogLevel = (typeof LOG_LEVELS)[number];
