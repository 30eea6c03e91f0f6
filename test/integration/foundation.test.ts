import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-root.js';
import {
  databaseEnv,
  freePort,
  mintToken,
  startClarityProcess,
  type ClarityProcess,
} from '../support/clarity-process.js';
import { connect, eventually, request } from '../support/socket-client.js';
import { startDelayingProxy } from '../support/delaying-proxy.js';
import { bundledKnowledgeBasePaths, startArchivistServer } from '../../src/archivist-server/index.js';
import { Category } from '../../src/gellish/gellish-uids.js';

const main = join(projectRoot(), 'dist', 'src', 'main.js');

async function getJson(url: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('start-up configuration', () => {
  test('a bad variable stops start-up with one line naming it, exit code non-zero', () => {
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, RELICA_CLARITY_API_PORT: 'notaport' },
      cwd: mkdtempSync(join(tmpdir(), 'clarity-cfg-')),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(run.status, 0);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /RELICA_CLARITY_API_PORT must be a port number, got "notaport"/);
  });

  test('production without database, Archivist or JWT key refuses to start', () => {
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      cwd: mkdtempSync(join(tmpdir(), 'clarity-cfg-')),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /POSTGRES_HOST is required when NODE_ENV=production/);
    assert.match(run.stderr, /ARCHIVIST_URL is required/);
  });
});

describe('a started service (real PostgreSQL when configured)', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, CORS_ORIGIN: 'https://app.example.com' });
  });
  after(async () => {
    if (clarity.child.exitCode === null) await clarity.stop();
    await cleanup();
  });

  test('/health answers 200 with the guide shape and a connected database', async () => {
    const { status, body, headers } = await getJson(`${clarity.url}/health`);
    assert.equal(status, 200);
    assert.equal(body.service, 'clarity');
    assert.equal(body.status, 'healthy');
    assert.equal(body.dependencies.database, 'connected');
    assert.equal(body.dependencies.archivist, 'available');
    assert.equal(body.dependencies.cache, 'disabled');
    assert.equal(typeof body.version, 'string');
    assert.ok(body.uptime > 0);
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    assert.equal(headers.get('x-content-type-options'), 'nosniff');
    assert.ok(headers.get('x-request-id'));
  });

  test('/health/ready turns 200 once migrations ran and the Archivist answered', async () => {
    await eventually(async () => (await fetch(`${clarity.url}/health/ready`)).status === 200, 20_000, 'ready');
    const { body } = await getJson(`${clarity.url}/health/ready`);
    assert.deepEqual(body.checks, { migrations: true, archivist: true, draining: false });
  });

  test('/metrics shows default Node metrics and the guide metrics', async () => {
    const res = await fetch(`${clarity.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
      'clarity_websocket_connections_total{status="accepted"}',
      'clarity_websocket_connections_total{status="rejected_auth"}',
      '# TYPE clarity_request_duration_seconds histogram',
      'clarity_websocket_connections_open',
    ]) {
      assert.ok(text.includes(name), name);
    }
  });

  test('CORS allows the configured origin only', async () => {
    const allowed = await fetch(`${clarity.url}/health`, { headers: { Origin: 'https://app.example.com' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    const other = await fetch(`${clarity.url}/health`, { headers: { Origin: 'https://evil.example.com' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('/debug/heapdump is closed unless enabled', async () => {
    const res = await fetch(`${clarity.url}/debug/heapdump`, { method: 'POST' });
    assert.equal(res.status, 404);
  });

  test('SIGTERM exits 0 within 15 s', async () => {
    const { code, ms } = await clarity.stop('SIGTERM');
    assert.equal(code, 0, clarity.output());
    assert.ok(ms < 15_000, `took ${ms} ms`);
  });
});

describe('graceful shutdown with a request in flight', () => {
  test('readiness goes 503 first, the in-flight request is answered, exit 0', async () => {
    const archivist = await startArchivistServer({ dataFiles: bundledKnowledgeBasePaths(), port: 0 });
    const proxy = await startDelayingProxy(archivist.url);
    const db = await databaseEnv();
    const clarity = await startClarityProcess({ ...db.env, ARCHIVIST_URL: proxy.url });
    try {
      await eventually(async () => (await fetch(`${clarity.url}/health/ready`)).status === 200, 20_000, 'ready');
      const socket = await connect(clarity.url, { token: await mintToken('alice') });
      // warm the relation-type hierarchy, then make every Archivist answer slow
      assert.equal((await request(socket, 'clarity.model/get', { uid: Category.ROLE })).success, true);
      proxy.delayMs = 700;
      const inFlight = request(socket, 'clarity.model/get', { uid: Category.OCCURRENCE });
      await new Promise((r) => setTimeout(r, 300));
      clarity.child.kill('SIGTERM');
      await eventually(async () => (await fetch(`${clarity.url}/health/ready`)).status === 503, 5_000, 'readiness 503');
      const answer = await inFlight;
      assert.equal(answer.success, true, JSON.stringify(answer));
      const { code } = await clarity.stop();
      assert.equal(code, 0, clarity.output());
      socket.close();
    } finally {
      if (clarity.child.exitCode === null) await clarity.stop('SIGKILL');
      await proxy.close();
      await archivist.close();
      await db.cleanup();
    }
  });
});

describe('embedded PostgreSQL (no POSTGRES_HOST)', () => {
  test('starts a real embedded database, keeps data across restarts, reports it down when it dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clarity-embedded-'));
    chmodSync(dir, 0o755); // as root, the server runs as the postgres user, who must enter it
    const env = { EMBEDDED_POSTGRES_DIR: join(dir, 'pg'), EMBEDDED_POSTGRES_PORT: String(await freePort()) };
    const token = await mintToken('erin');
    let clarity = await startClarityProcess(env, { readyTimeoutMs: 120_000 });
    let sessionId: string;
    try {
      const health = await getJson(`${clarity.url}/health`);
      assert.equal(health.body.dependencies.database, 'connected');
      const socket = await connect(clarity.url, { token });
      const created = await request(socket, 'clarity.session/create', { name: 'kept across restarts' });
      assert.equal(created.success, true, JSON.stringify(created));
      sessionId = created.data.id;
      socket.close();
      assert.equal((await clarity.stop()).code, 0, clarity.output());

      clarity = await startClarityProcess(env, { readyTimeoutMs: 120_000 });
      const again = await connect(clarity.url, { token });
      const got = await request(again, 'clarity.session/get', { id: sessionId });
      assert.equal(got.success, true, JSON.stringify(got));
      assert.equal(got.data.name, 'kept across restarts');
      again.close();

      const pid = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      await eventually(
        async () => (await getJson(`${clarity.url}/health`)).body.dependencies.database === 'unavailable',
        15_000,
        'database unavailable',
      );
      const degraded = await getJson(`${clarity.url}/health`);
      assert.equal(degraded.status, 200);
      assert.equal(degraded.body.status, 'degraded');
    } finally {
      const { code } = await clarity.stop();
      assert.equal(code, 0, clarity.output());
    }
  });
});
