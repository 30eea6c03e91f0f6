import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { JwtService } from '@nestjs/jwt';
import { io, type Socket } from 'socket.io-client';
import { Category } from '../../src/gellish/gellish-uids.js';
import { readRepoFile, repoPath } from '../support/deploy-files.js';
import {
  builtRoot,
  canConnect,
  freePort,
  hasExecutable,
  launchClarity,
  metricValue,
  renderLoopbackNginx,
  startProcess,
  waitForHttp,
  type RunningProcess,
} from '../support/deploy-processes.js';

const conf = readRepoFile('nginx', 'clarity.conf');
const JWT_SECRET = 'deploy-e2e-secret-0123456789abcdef-0123456789';
const OPEN_GAUGE = 'clarity_websocket_connections_open';
const MODEL_UID = Category.PHYSICAL_OBJECT;

/** Why the end-to-end part cannot run here, or undefined when it can. */
async function e2eSkipReason(): Promise<string | undefined> {
  if (!hasExecutable('nginx')) return 'nginx is not installed (apt-get install nginx-light)';
  if (!existsSync(join(builtRoot, 'src', 'gateway', 'gateway.module.js'))) return 'the Socket.IO gateway is not built';
  if (!existsSync(join(builtRoot, 'src', 'archivist-server', 'cli.js'))) return 'the embedded Archivist is not built';
  if (!(await canConnect(5432))) return 'PostgreSQL is not reachable on 127.0.0.1:5432';
  if (!(await canConnect(6379))) return 'Redis is not reachable on 127.0.0.1:6379';
  return undefined;
}
// Awaited before any suite is registered: under --test-force-exit (npm test) the runner exits once the suites
// registered so far have finished, so a suite registered after this await would never run.
const skipReason = await e2eSkipReason();
if (skipReason) process.stdout.write(`# deploy-nginx e2e skipped: ${skipReason}\n`);

describe('nginx/clarity.conf as written', () => {
  test('is the guide WebSocket load balancer, TLS on 443 and a redirect on 80', () => {
    const directives = [
      /map\s+\$http_upgrade\s+\$connection_upgrade\s*\{/,
      /upstream\s+clarity_backend\s*\{[^}]*\bip_hash\s*;/,
      /proxy_set_header\s+Upgrade\s+\$http_upgrade\s*;/,
      /proxy_set_header\s+Connection\s+\$connection_upgrade\s*;/,
      /proxy_http_version\s+1\.1\s*;/,
      /proxy_read_timeout\s+86400s\s*;/,
      /proxy_send_timeout\s+86400s\s*;/,
      /proxy_connect_timeout\s+60s\s*;/,
      /listen\s+443\s+ssl\s*;/,
      /ssl_certificate\s+\/\S+\s*;/,
      /ssl_certificate_key\s+\/\S+\s*;/,
      /return\s+301\s+https:\/\/\$host\$request_uri\s*;/,
    ];
    for (const d of directives) assert.match(conf, d);
  });

  test('passes nginx -t with its TLS server (a throw-away certificate)', (t) => {
    if (!hasExecutable('nginx') || !hasExecutable('openssl', ['version'])) {
      t.skip('nginx or openssl not installed (apt-get install nginx-light openssl)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'clarity-nginx-t-'));
    try {
      const certificate = join(dir, 'tls.crt');
      const key = join(dir, 'tls.key');
      const ssl = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          key,
          '-out',
          certificate,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(ssl.status, 0, ssl.stderr);
      const file = join(dir, 'nginx.conf');
      writeFileSync(
        file,
        renderLoopbackNginx(conf, {
          prefix: dir,
          httpsPort: 8443,
          httpPort: 8080,
          upstreams: ['127.0.0.1:3001'],
          tls: { certificate, key },
        }),
      );
      const check = spawnSync('nginx', ['-t', '-c', file, '-p', dir], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function mintToken(sub: string): Promise<string> {
  return new JwtService({ secret: JWT_SECRET }).signAsync({}, { algorithm: 'HS256', subject: sub, expiresIn: '10m' });
}

interface Envelope {
  type: string;
  success: boolean;
  data?: { uid?: number; name?: string };
  error?: string;
  code?: string;
}

describe('nginx in front of two Clarity processes', { skip: skipReason }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clarity-deploy-e2e-'));
  const database = `clarity_deploy_${process.pid}_${Date.now()}`;
  const processes: RunningProcess[] = [];
  const sockets: Socket[] = [];
  let archivistUrl = '';
  const backends: Array<{ port: number; process: RunningProcess }> = [];
  let nginxPort = 0;
  let redirectPort = 0;

  async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }

  async function startClarity(label: string): Promise<{ port: number; process: RunningProcess }> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      RELICA_CLARITY_API_PORT: String(port),
      RELICA_CLARITY_API_HOST: '127.0.0.1',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: '5432',
      POSTGRES_USER: 'postgres',
      POSTGRES_DB: database,
      REDIS_URL: 'redis://127.0.0.1:6379/11',
      JWT_SECRET,
      LOG_FILES: 'false',
      LOG_LEVEL: 'warn',
      ARCHIVIST_URL: archivistUrl,
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    const child = await launchClarity({ label, env, cwd: dir, waitFor: 'ready', outputLimit: 200_000 });
    processes.push(child);
    return { port, process: child };
  }

  async function openGauge(port: number): Promise<number | undefined> {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return metricValue(await response.text(), OPEN_GAUGE);
  }

  async function connect(sub: string, options: { reconnection?: boolean } = {}): Promise<Socket> {
    const socket = io(`http://127.0.0.1:${nginxPort}`, {
      transports: ['websocket'],
      auth: { token: await mintToken(sub) },
      reconnection: options.reconnection ?? false,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      forceNew: true,
      timeout: 10_000,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    return socket;
  }

  async function getModel(socket: Socket, uid: number): Promise<Envelope> {
    return (await socket.timeout(15_000).emitWithAck('clarity.model/get', { uid })) as Envelope;
  }

  /** Which backend (index into backends) the upstream header names. */
  function backendOf(upstreamAddr: string | null): number {
    const index = backends.findIndex((b) => upstreamAddr?.split(/,\s*/).at(-1) === `127.0.0.1:${b.port}`);
    assert.ok(index >= 0, `unexpected upstream ${upstreamAddr}`);
    return index;
  }

  before(async () => {
    await admin((c) => c.query(`CREATE DATABASE "${database}"`));
    const archivistPort = await freePort();
    archivistUrl = `http://127.0.0.1:${archivistPort}`;
    const archivist = startProcess(
      'archivist',
      process.execPath,
      [join(builtRoot, 'src', 'archivist-server', 'cli.js'), '--port', String(archivistPort), '--host', '127.0.0.1'],
      { env: { PATH: process.env.PATH }, cwd: dir },
    );
    processes.push(archivist);
    await waitForHttp(`${archivistUrl}/health`, archivist, 30_000);

    // One after the other: both would otherwise race to run the migrations.
    backends.push(await startClarity('clarity-a'));
    backends.push(await startClarity('clarity-b'));

    nginxPort = await freePort();
    redirectPort = await freePort();
    const nginxConf = join(dir, 'nginx.conf');
    writeFileSync(
      nginxConf,
      renderLoopbackNginx(conf, {
        prefix: dir,
        httpsPort: nginxPort,
        httpPort: redirectPort,
        upstreams: backends.map((b) => `127.0.0.1:${b.port}`),
        upstreamHeader: true,
      }),
    );
    const nginx = startProcess('nginx', 'nginx', ['-c', nginxConf, '-p', dir], { env: { PATH: process.env.PATH } });
    processes.push(nginx);
    await waitForHttp(`http://127.0.0.1:${nginxPort}/health`, nginx, 15_000);
  });

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const p of [...processes].reverse()) await p.stop();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('each backend serves the probe paths of the manifests, and the image health check passes', async () => {
    for (const { port } of backends) {
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200);
      const check = spawnSync(process.execPath, [repoPath('docker', 'healthcheck.mjs')], {
        env: { PATH: process.env.PATH, RELICA_CLARITY_API_PORT: String(port) },
      });
      assert.equal(check.status, 0, String(check.stderr));
    }
    const closed = await freePort();
    const down = spawnSync(process.execPath, [repoPath('docker', 'healthcheck.mjs')], {
      env: { PATH: process.env.PATH, RELICA_CLARITY_API_PORT: String(closed) },
    });
    assert.equal(down.status, 1);
  });

  test('public server: /health proxied, /metrics and /api hidden, port 80 redirects to https', async () => {
    const health = await fetch(`http://127.0.0.1:${nginxPort}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { service: string }).service, 'clarity');
    backendOf(health.headers.get('x-clarity-upstream'));
    assert.equal((await fetch(`http://127.0.0.1:${nginxPort}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${nginxPort}/debug/heapdump`, { method: 'POST' })).status, 404);
    // NODE_ENV=test: the backends serve the API docs, the public server does not.
    for (const path of ['/api', '/api/', '/api/swagger-ui-init.js', '/api-json', '/asyncapi.json']) {
      assert.equal((await fetch(`http://127.0.0.1:${backends[0]!.port}${path}`)).status, 200, path);
      assert.equal((await fetch(`http://127.0.0.1:${nginxPort}${path}`)).status, 404, path);
    }
    const redirect = await fetch(`http://127.0.0.1:${redirectPort}/socket.io/?EIO=4`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.match(redirect.headers.get('location') ?? '', /^https:\/\/[^/]+\/socket\.io\/\?EIO=4$/);
  });

  test('WebSocket clients get models through nginx, sticky to one backend, and fail over on SIGTERM', async () => {
    // An unauthenticated handshake is refused through the proxy too.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = io(`http://127.0.0.1:${nginxPort}`, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        sockets.push(s);
        s.once('connect', () => resolve(undefined));
        s.once('connect_error', reject);
      }),
      (error: Error) => error.message === 'Unauthorized',
    );

    // ip_hash: every client of this address lands on the same backend.
    const served = backendOf((await fetch(`http://127.0.0.1:${nginxPort}/health`)).headers.get('x-clarity-upstream'));
    const other = 1 - served;
    const before = await Promise.all(backends.map((b) => openGauge(b.port)));
    const clients = [await connect('user-1'), await connect('user-2'), await connect('user-3', { reconnection: true })];
    const disconnects: string[] = [];
    clients.forEach((c, i) => c.on('disconnect', (reason) => disconnects.push(`${i}:${reason}`)));

    const ids = clients.map((c) => c.id);
    for (let round = 0; round < 3; round++) {
      for (const client of clients) {
        const response = await getModel(client, MODEL_UID);
        assert.equal(response.success, true, JSON.stringify(response));
        assert.equal(response.data?.uid, MODEL_UID);
      }
    }
    assert.deepEqual(
      clients.map((c) => c.id),
      ids,
      'a client changed its session',
    );
    assert.deepEqual(disconnects, []);
    const during = await Promise.all(backends.map((b) => openGauge(b.port)));
    assert.equal(during[served], (before[served] ?? 0) + clients.length, `gauges ${JSON.stringify(during)}`);
    assert.equal(during[other], before[other] ?? 0);

    // Stop the serving backend the way Kubernetes does. Each client's disconnect is awaited from
    // before the stop: the reconnecting client may be back (on the other backend) by the time
    // stop() resolves, and a wait started then would wait for a disconnect that never comes.
    const gone = clients.map((c) => new Promise((r) => c.once('disconnect', r)));
    const { code } = await backends[served]!.process.stop();
    assert.equal(code, 0, backends[served]!.process.output().slice(-2000));
    await Promise.all(gone);

    // New clients are served by the other backend.
    const fresh = await connect('user-4');
    const response = await getModel(fresh, MODEL_UID);
    assert.equal(response.success, true, JSON.stringify(response));
    assert.equal(response.data?.uid, MODEL_UID);
    const health = await fetch(`http://127.0.0.1:${nginxPort}/health`);
    assert.equal(backendOf(health.headers.get('x-clarity-upstream')), other);

    // The client that reconnects by itself lands there too.
    const reconnecting = clients[2]!;
    if (!reconnecting.connected) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the reconnecting client did not reconnect within 20 s')),
          20_000,
        );
        reconnecting.on('connect_error', (error: Error & { data?: { code?: string } }) => {
          // A handshake that reached the draining backend is refused SHUTTING_DOWN, and socket.io-client
          // does not retry after a server's refusal by itself: the client asks again, as the typed client does.
          if (error.data?.code === 'SHUTTING_DOWN') setTimeout(() => reconnecting.connect(), 100);
        });
        reconnecting.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const again = await getModel(reconnecting, MODEL_UID);
    assert.equal(again.success, true, JSON.stringify(again));
    assert.equal(await openGauge(backends[other]!.port), (before[other] ?? 0) + 2);
  });
});
