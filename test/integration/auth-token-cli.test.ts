import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '../../src/config/app-config.js';
import { isAdmin } from '../../src/auth/is-admin.js';
import {
  authFor,
  capturingLogger,
  decodeToken,
  ecKeyPair,
  jwtConfig,
  randomSecret,
  rsaKeyPair,
  type PemKeyPair,
} from '../support/auth-fixtures.js';

const decodeJwt = (token: string) => decodeToken(token).claims;
const decodeProtectedHeader = (token: string) => decodeToken(token).header;

// The compiled CLI beside this compiled test: <outDir>/test → <outDir>/src/auth.
const CLI = fileURLToPath(new URL('../../src/auth/token-cli.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('token CLI (child process)', () => {
  const { logger } = capturingLogger();
  const verifierFor = (jwt: AppConfig['jwt']) => authFor(jwt, 'test', logger).auth;
  const secret = randomSecret();
  let dir: string;
  let rsa: PemKeyPair;
  let ec: PemKeyPair;

  before(() => {
    // An empty working directory: no stray .env is read by loadConfig().
    dir = mkdtempSync(join(tmpdir(), 'clarity-auth-cli-'));
    rsa = rsaKeyPair();
    ec = ecKeyPair();
    writeFileSync(join(dir, 'rsa.pem'), rsa.privatePem);
    writeFileSync(join(dir, 'ec.pem'), ec.privatePem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, timeout: 20_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  function assertOneToken(result: Run): string {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'stdout is the token alone');
    return result.stdout.trim();
  }

  function assertOneLineFailure(result: Run, pattern: RegExp): void {
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }

  test('JWT_SECRET: the minted token verifies, --ttl sets exp, no admin by default', async () => {
    const token = assertOneToken(await run(['--sub', 'alice', '--ttl', '15m'], { JWT_SECRET: secret }));
    const verifier = verifierFor(jwtConfig({ secret }));
    const { sub, claims } = await verifier.verify(token);
    assert.equal(sub, 'alice');
    assert.equal(claims.exp! - claims.iat!, 15 * 60);
    assert.equal(isAdmin(claims), false);
    assert.equal(decodeProtectedHeader(token).alg, 'HS256');
  });

  test('--admin, --issuer, --audience; the default ttl is 1 h', async () => {
    const token = assertOneToken(
      await run(['--sub', 'ops', '--admin', '--issuer', 'https://id.example', '--audience', 'clarity'], {
        JWT_SECRET: secret,
      }),
    );
    const verifier = verifierFor(jwtConfig({ secret, issuer: 'https://id.example', audience: 'clarity' }));
    const { claims } = await verifier.verify(token);
    assert.equal(isAdmin(claims), true);
    assert.equal(claims.exp! - claims.iat!, 3600);
  });

  test('JWT_ISSUER / JWT_AUDIENCE are the defaults of the claims', async () => {
    const token = assertOneToken(
      await run(['--sub', 'bob', '--ttl', '30s'], { JWT_SECRET: secret, JWT_ISSUER: 'iss-x', JWT_AUDIENCE: 'aud-y' }),
    );
    const claims = decodeJwt(token);
    assert.equal(claims.iss, 'iss-x');
    assert.equal(claims.aud, 'aud-y');
    assert.equal(claims.exp! - claims.iat!, 30);
  });

  test('JWT_PUBLIC_KEY (RSA) + --private-key: RS256 token that verifies', async () => {
    const token = assertOneToken(
      await run(['--sub', 'carol', '--ttl', '7d', '--private-key', join(dir, 'rsa.pem')], {
        JWT_PUBLIC_KEY: rsa.publicPem,
      }),
    );
    assert.equal(decodeProtectedHeader(token).alg, 'RS256');
    const { sub, claims } = await verifierFor(jwtConfig({ publicKey: rsa.publicPem })).verify(token);
    assert.equal(sub, 'carol');
    assert.equal(claims.exp! - claims.iat!, 7 * 86400);
  });

  test('JWT_PUBLIC_KEY (EC P-256) + --private-key: ES256 token that verifies', async () => {
    const token = assertOneToken(
      await run(['--sub', 'dave', '--private-key', join(dir, 'ec.pem')], { JWT_PUBLIC_KEY: ec.publicPem }),
    );
    assert.equal(decodeProtectedHeader(token).alg, 'ES256');
    assert.equal((await verifierFor(jwtConfig({ publicKey: ec.publicPem })).verify(token)).sub, 'dave');
  });

  test('JWT_PUBLIC_KEY without --private-key, or with a key of another pair, fails', async () => {
    assertOneLineFailure(await run(['--sub', 'eve'], { JWT_PUBLIC_KEY: rsa.publicPem }), /--private-key/);
    assertOneLineFailure(
      await run(['--sub', 'eve', '--private-key', join(dir, 'ec.pem')], { JWT_PUBLIC_KEY: rsa.publicPem }),
      /does not match JWT_PUBLIC_KEY/,
    );
    assertOneLineFailure(
      await run(['--sub', 'eve', '--private-key', join(dir, 'missing.pem')], { JWT_PUBLIC_KEY: rsa.publicPem }),
      /cannot read/,
    );
  });

  test('no key configured: exit 1 with a one-line explanation', async () => {
    assertOneLineFailure(await run(['--sub', 'alice'], {}), /no JWT key configured.*ephemeral/);
  });

  test('usage errors: missing --sub, bad --ttl, unknown option', async () => {
    assertOneLineFailure(await run([], { JWT_SECRET: secret }), /--sub/);
    assertOneLineFailure(await run(['--sub', 'alice', '--ttl', '1w'], { JWT_SECRET: secret }), /ttl/);
    assertOneLineFailure(await run(['--sub', 'alice', '--bogus'], { JWT_SECRET: secret }), /bogus/);
  });
});
