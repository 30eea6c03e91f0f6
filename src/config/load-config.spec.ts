import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from './load-config.js';
import { ENV_VARIABLES } from './config.schema.js';

const load = (env: Record<string, string>) => loadConfig(env, { dotenvPath: null });

describe('loadConfig', () => {
  test('embedded defaults of the guide with no variables', () => {
    const c = load({});
    assert.equal(c.env, 'development');
    assert.equal(c.http.port, 3001);
    assert.equal(c.database.host, undefined);
    assert.equal(c.database.maxConnections, 50);
    assert.equal(c.database.idleTimeoutMs, 10000);
    assert.equal(c.database.connectionTimeoutMs, 5000);
    assert.equal(c.archivist.url, undefined);
    assert.equal(c.archivist.timeoutMs, 30000);
    assert.equal(c.archivist.retryAttempts, 3);
    assert.equal(c.websocket.maxConnections, 1000);
    assert.equal(c.websocket.pingTimeoutMs, 60000);
    assert.equal(c.websocket.pingIntervalMs, 25000);
    assert.equal(c.websocket.maxPayloadBytes, 1_000_000);
    assert.deepEqual(c.websocket.transports, ['websocket']);
    assert.equal(c.logging.format, 'simple');
    assert.equal(c.redis.url, undefined);
    assert.equal(c.debugEndpoints, false);
  });

  test('values are parsed and typed', () => {
    const c = load({
      RELICA_CLARITY_API_PORT: '4000',
      WS_CORS_ORIGIN: 'https://a.example.com, https://b.example.com',
      REDIS_HOST: 'cache',
      LOG_FORMAT: 'JSON',
      DEBUG_ENDPOINTS: 'true',
      WS_TRANSPORTS: 'websocket,polling',
    });
    assert.equal(c.http.port, 4000);
    assert.deepEqual(c.websocket.corsOrigins, ['https://a.example.com', 'https://b.example.com']);
    assert.equal(c.redis.url, 'redis://cache:6379');
    assert.equal(c.logging.format, 'json');
    assert.equal(c.debugEndpoints, true);
    assert.deepEqual(c.websocket.transports, ['websocket', 'polling']);
  });

  test('API_DOCS: on outside production, off in production unless set', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      POSTGRES_HOST: 'db',
      ARCHIVIST_URL: 'http://archivist:3000',
    };
    assert.equal(load({}).apiDocs, true);
    assert.equal(load({ NODE_ENV: 'test' }).apiDocs, true);
    assert.equal(load({ API_DOCS: 'false' }).apiDocs, false);
    assert.equal(load({ API_DOCS: ' ' }).apiDocs, true);
    assert.equal(load(production).apiDocs, false);
    assert.equal(load({ ...production, API_DOCS: 'true' }).apiDocs, true);
    assert.equal(load({ ...production, API_DOCS: 'off' }).apiDocs, false);
  });

  test('AI settings (spec §10): defaults, values, and a key that never shows in a config error', () => {
    const defaults = load({});
    assert.deepEqual(defaults.ai, {
      apiKey: undefined,
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 30000,
      rateLimitPerMinute: 10,
    });
    const local = load({
      OPENAI_API_KEY: 'dummy',
      OPENAI_BASE_URL: 'http://localhost:11434/v1/',
      OPENAI_MODEL: 'llama3.2',
      AI_TIMEOUT_MS: '5000',
      AI_RATE_LIMIT: '3',
    });
    assert.deepEqual(local.ai, {
      apiKey: 'dummy',
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3.2',
      timeoutMs: 5000,
      rateLimitPerMinute: 3,
    });
    const key = 'sk-config-secret-0123456789';
    assert.throws(
      () => load({ OPENAI_API_KEY: key, AI_TIMEOUT_MS: '-1', OPENAI_BASE_URL: 'ftp://x' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes(key),
    );
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ RELICA_CLARITY_API_PORT: 'notaport' }, /^RELICA_CLARITY_API_PORT must be a port number, got "notaport"$/],
    [{ RELICA_CLARITY_API_PORT: '70000' }, /^RELICA_CLARITY_API_PORT must be a port number, got "70000"$/],
    [{ LOG_FORMAT: 'xml' }, /^LOG_FORMAT must be one of json\|simple, got "xml"$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ POSTGRES_MAX_CONNECTIONS: '0' }, /^POSTGRES_MAX_CONNECTIONS must be/],
    [{ ARCHIVIST_URL: 'archivist:3000' }, /^ARCHIVIST_URL must be an http\(s\) URL/],
    [{ ARCHIVIST_URL: 'redis://archivist:3000' }, /^ARCHIVIST_URL must be an http\(s\) URL/],
    [{ REDIS_URL: 'http://cache:6379' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ JWT_PUBLIC_KEY: 'not a key' }, /^JWT_PUBLIC_KEY must be a PEM public key/],
    [{ WS_CORS_ORIGIN: 'not an origin' }, /^WS_CORS_ORIGIN must be a comma-separated list/],
    [{ MIGRATIONS_RUN: 'maybe' }, /^MIGRATIONS_RUN must be true or false/],
    [{ API_DOCS: 'sometimes' }, /^API_DOCS must be true or false, got "sometimes"$/],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET must be at least 32 characters long$/],
    [{ OPENAI_BASE_URL: 'localhost:11434/v1' }, /^OPENAI_BASE_URL must be an http\(s\) URL/],
    [{ AI_TIMEOUT_MS: 'soon' }, /^AI_TIMEOUT_MS must be a number of milliseconds between 100 and 600000, got "soon"$/],
    [{ AI_RATE_LIMIT: '0' }, /^AI_RATE_LIMIT must be a positive number of requests per minute, got "0"$/],
    [
      { NODE_ENV: 'production' },
      /JWT_SECRET or JWT_PUBLIC_KEY is required.*POSTGRES_HOST is required.*ARCHIVIST_URL is required/,
    ],
  ];
  for (const [env, message] of bad) {
    test(`refuses ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(
        () => load(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'));
          return true;
        },
      );
    });
  }

  test('every variable of the deployment guide is known', () => {
    const guide = [
      'NODE_ENV',
      'RELICA_CLARITY_API_PORT',
      'POSTGRES_HOST',
      'POSTGRES_PORT',
      'POSTGRES_USER',
      'POSTGRES_PASSWORD',
      'POSTGRES_DB',
      'POSTGRES_MAX_CONNECTIONS',
      'POSTGRES_IDLE_TIMEOUT',
      'POSTGRES_CONNECTION_TIMEOUT',
      'ARCHIVIST_URL',
      'ARCHIVIST_TIMEOUT',
      'ARCHIVIST_RETRY_ATTEMPTS',
      'OPENAI_API_KEY',
      'LOG_LEVEL',
      'LOG_FORMAT',
      'CORS_ORIGIN',
      'WS_CORS_ORIGIN',
      'WS_MAX_CONNECTIONS',
      'WS_PING_TIMEOUT',
      'WS_PING_INTERVAL',
      'JWT_SECRET',
      'JWT_PUBLIC_KEY',
      'JWT_ISSUER',
      'JWT_AUDIENCE',
      'REDIS_URL',
      'REDIS_HOST',
      'REDIS_PORT',
      'CACHE_TTL_SECONDS',
      'WS_MAX_PAYLOAD_BYTES',
      'WS_RATE_LIMIT',
      'DEBUG_ENDPOINTS',
      'OPENAI_BASE_URL',
      'OPENAI_MODEL',
      'AI_TIMEOUT_MS',
      'AI_RATE_LIMIT',
    ];
    for (const name of guide) assert.ok(ENV_VARIABLES.includes(name as never), name);
  });
});
