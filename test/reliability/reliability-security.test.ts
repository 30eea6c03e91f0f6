import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Category } from '../../src/gellish/gellish-uids.js';
import { mintToken, TEST_JWT_SECRET } from '../support/clarity-process.js';
import { signJws } from '../support/auth-fixtures.js';
import { connect, request } from '../support/socket-client.js';
import { startService, type ReliabilityService } from '../support/reliability-kit.js';

/**
 * A security review of the running service: CORS for the configured origins
 * (HTTP and the Socket.IO handshake), security headers, the heap-dump endpoint,
 * secrets in logs and user data in /metrics.
 */

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

describe('reliability: security of the running service', () => {
  describe('CORS, headers and closed debug endpoints (DEBUG_ENDPOINTS off)', () => {
    let service: ReliabilityService;

    before(async () => {
      service = await startService({ CORS_ORIGIN: ALLOWED, WS_CORS_ORIGIN: ALLOWED });
    });

    after(async () => {
      await service?.close();
    });

    test('HTTP CORS answers only the configured origin', async () => {
      const allowed = await fetch(`${service.clarity.url}/health`, { headers: { Origin: ALLOWED } });
      assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
      const evil = await fetch(`${service.clarity.url}/health`, { headers: { Origin: EVIL } });
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      const preflight = await fetch(`${service.clarity.url}/metrics`, {
        method: 'OPTIONS',
        headers: { Origin: EVIL, 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
      const goodPreflight = await fetch(`${service.clarity.url}/metrics`, {
        method: 'OPTIONS',
        headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(goodPreflight.headers.get('access-control-allow-origin'), ALLOWED);
    });

    test('the Socket.IO handshake checks the Origin (browsers do not apply CORS to WebSockets)', async () => {
      const token = await mintToken('alice');
      const refused = await connect(service.clarity.url, { token, origin: EVIL }).then(
        (s) => {
          s.close();
          return undefined;
        },
        (e: Error) => e,
      );
      assert.ok(refused, 'a foreign Origin is refused');
      const ok = await connect(service.clarity.url, { token, origin: ALLOWED });
      assert.equal(ok.connected, true);
      ok.close();
      // Non-browser clients (the Portal, services) send no Origin at all.
      const server = await connect(service.clarity.url, { token });
      assert.equal(server.connected, true);
      server.close();
      // The polling handshake of a foreign origin gets no CORS grant either.
      const poll = await fetch(`${service.clarity.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { Origin: EVIL },
      });
      assert.notEqual(poll.headers.get('access-control-allow-origin'), EVIL);
      assert.notEqual(poll.headers.get('access-control-allow-origin'), '*');
    });

    test('security headers on every HTTP answer, no framework fingerprint', async () => {
      for (const path of ['/health', '/health/ready', '/metrics', '/no-such-page']) {
        const res = await fetch(`${service.clarity.url}${path}`);
        const h = res.headers;
        assert.equal(h.get('x-content-type-options'), 'nosniff', path);
        assert.ok(h.get('x-frame-options'), `${path} x-frame-options`);
        assert.ok(h.get('content-security-policy'), `${path} content-security-policy`);
        assert.ok(h.get('strict-transport-security'), `${path} strict-transport-security`);
        assert.ok(h.get('referrer-policy'), `${path} referrer-policy`);
        assert.equal(h.get('x-powered-by'), null, path);
        const body = await res.text();
        assert.doesNotMatch(body, /\/work\b|node_modules|\bat \S+ \(/, `${path} leaks nothing`);
      }
    });

    test('/debug/heapdump answers 404 when DEBUG_ENDPOINTS is off, even to an admin', async () => {
      const admin = await mintToken('ops', { claims: { roles: ['admin'] } });
      for (const headers of [{}, { Authorization: `Bearer ${admin}` }] as Array<Record<string, string>>) {
        const res = await fetch(`${service.clarity.url}/debug/heapdump`, { method: 'POST', headers });
        assert.equal(res.status, 404);
      }
      assert.equal((await fetch(`${service.clarity.url}/debug/heapdump`)).status, 404);
    });
  });

  describe('debug endpoint enabled, debug logging to files: auth, secrets, metrics', () => {
    const logDir = mkdtempSync(join(tmpdir(), 'clarity-security-logs-'));
    const PASSWORD = 'pg-Pa55word-that-must-never-be-logged-7f3a';
    const SUB = 'user-secret-sub-4c1d';
    let service: ReliabilityService;
    const tokens: string[] = [];

    before(async () => {
      service = await startService({
        DEBUG_ENDPOINTS: 'true',
        LOG_LEVEL: 'debug',
        LOG_FILES: 'true',
        LOG_DIR: logDir,
        POSTGRES_PASSWORD: PASSWORD,
      });
    });

    after(async () => {
      await service?.close();
      rmSync(logDir, { recursive: true, force: true });
    });

    test('heapdump: 401 without or with a bad token, 403 for a non-admin, 201 for an admin', async () => {
      const url = `${service.clarity.url}/debug/heapdump`;
      const user = await mintToken(SUB);
      const admin = await mintToken('ops', { claims: { roles: ['admin'] } });
      const forged = await mintToken('ops', {
        claims: { roles: ['admin'] },
        secret: 'not-the-key-not-the-key-not-the-key-0000',
      });
      tokens.push(user, admin, forged);
      assert.equal((await fetch(url, { method: 'POST' })).status, 401);
      assert.equal((await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer garbage' } })).status, 401);
      assert.equal((await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${forged}` } })).status, 401);
      assert.equal((await fetch(url, { method: 'POST', headers: { Authorization: `Basic ${admin}` } })).status, 401);
      assert.equal((await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${user}` } })).status, 403);
      const ok = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${admin}` } });
      assert.equal(ok.status, 201);
      const { file } = (await ok.json()) as { file: string };
      assert.ok(existsSync(file));
      rmSync(file, { force: true });
    });

    test('no token, secret or password in any log line (stdout, combined.log, error.log)', async () => {
      const good = await mintToken(SUB);
      const expired = signJws(
        { alg: 'HS256' },
        { sub: SUB, exp: Math.floor(Date.now() / 1000) - 60 },
        new TextEncoder().encode(TEST_JWT_SECRET),
      );
      const wrongKey = await mintToken(SUB, { secret: 'another-key-another-key-another-key-123' });
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const algNone = `${b64({ alg: 'none' })}.${b64({ sub: SUB })}.`;
      tokens.push(good, expired, wrongKey, algNone);
      for (const token of [expired, wrongKey, algNone, 'not.a.jwt']) {
        await connect(service.clarity.url, { token }).then(
          (s) => s.close(),
          () => undefined,
        );
        await connect(service.clarity.url, { headers: { Authorization: `Bearer ${token}` } }).then(
          (s) => s.close(),
          () => undefined,
        );
      }
      const socket = await connect(service.clarity.url, { token: good });
      try {
        // Tokens and passwords smuggled into payloads are not logged either.
        await request(socket, 'clarity.model/get', { uid: Category.ROLE, token: good, password: PASSWORD });
        await request(socket, 'clarity.session/create', { name: 'secrets', state: { token: good } });
        await request(socket, 'clarity.model/get', { uid: 'x', authorization: `Bearer ${good}` });
        await request(socket, 'clarity.nothing', { token: good });
      } finally {
        socket.close();
      }
      await new Promise((r) => setTimeout(r, 500)); // let the file transports flush
      const files = readdirSync(logDir).filter((f) => f.endsWith('.log'));
      assert.ok(files.includes('combined.log'), `log files: ${files.join(', ')}`);
      const sources: Array<[string, string]> = [
        ['stdout/stderr', service.clarity.output()],
        ...files.map((f): [string, string] => [f, readFileSync(join(logDir, f), 'utf8')]),
      ];
      assert.match(sources.find(([n]) => n === 'combined.log')![1], /debug/, 'debug lines were written');
      const secrets = [
        PASSWORD,
        TEST_JWT_SECRET,
        ...tokens.flatMap((t) => [t, t.split('.')[2]].filter((p) => p && p.length > 10)),
      ];
      for (const [name, text] of sources) {
        for (const secret of secrets) {
          assert.ok(!text.includes(secret!), `${name} contains a secret (${secret!.slice(0, 12)}…)`);
        }
      }
    });

    test('/metrics exposes no user data: no subjects, no uids, no session ids in labels', async () => {
      const socket = await connect(service.clarity.url, { token: await mintToken(SUB) });
      const created = await request(socket, 'clarity.session/create', { name: 'metrics probe' });
      await request(socket, 'clarity.model/get', { uid: 987_654_321 });
      await request(socket, 'clarity.model/get', { uid: Category.ROLE });
      socket.close();
      const text = await (await fetch(`${service.clarity.url}/metrics`)).text();
      assert.ok(!text.includes(SUB), 'no subject');
      assert.ok(!text.includes('987654321'), 'no requested uid');
      assert.ok(!text.includes(created.data.id as string), 'no session id');
      for (const line of text.split('\n').filter((l) => l.startsWith('clarity_'))) {
        const labels = /\{(.*)\}/.exec(line)?.[1] ?? '';
        for (const [, name, value] of labels.matchAll(/(\w+)="([^"]*)"/g)) {
          assert.doesNotMatch(name!, /^(sub|user|user_?id|uid|session|token|id)$/i, line);
          assert.doesNotMatch(value!, /^\d{4,}$/, `a numeric id as a label value: ${line}`);
        }
      }
    });
  });
});
