import { generateKeyPairSync } from 'node:crypto';
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { MAX_TOKEN_LENGTH, CLOCK_TOLERANCE_SECONDS } from '../../src/auth/auth.constants.js';
import type { AuthService, TokenClaims } from '../../src/auth/auth.service.js';
import type { JwtSettings } from '../../src/auth/jwt-settings.js';
import { AuthError } from '../../src/auth/auth-error.js';
import {
  authFor,
  capturingLogger,
  craftToken,
  ecKeyPair,
  jwtConfig,
  nowSeconds,
  randomSecret,
  rsaKeyPair,
  signJws,
  type PemKeyPair,
} from '../support/auth-fixtures.js';

type JWTPayload = TokenClaims;

const SECRET = randomSecret();
const secretBytes = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** Signs `payload` (exp one hour ahead unless given) with the given alg and key. */
async function sign(
  payload: JWTPayload,
  alg: string,
  key: Uint8Array | KeyObject,
  header: Record<string, unknown> = {},
): Promise<string> {
  return signJws({ ...header, alg }, { exp: nowSeconds() + 3600, ...payload }, key);
}
const hs = (payload: JWTPayload, secret = SECRET, alg = 'HS256'): Promise<string> =>
  sign(payload, alg, secretBytes(secret));

describe('AuthService.verify (JwtService)', () => {
  const { logger, lines } = capturingLogger();
  const seen: string[] = [];
  let rsa: PemKeyPair;
  let otherRsa: PemKeyPair;
  let ec: PemKeyPair;
  let hsVerifier: AuthService;
  let scopedVerifier: AuthService;
  let rsVerifier: AuthService;
  let esVerifier: AuthService;
  let hsSettings: JwtSettings;
  let rsSettings: JwtSettings;
  let esSettings: JwtSettings;

  before(() => {
    rsa = rsaKeyPair();
    otherRsa = rsaKeyPair();
    ec = ecKeyPair();
    ({ auth: hsVerifier, settings: hsSettings } = authFor(jwtConfig({ secret: SECRET }), 'test', logger));
    ({ auth: scopedVerifier } = authFor(
      jwtConfig({ secret: SECRET, issuer: 'https://id.example', audience: 'clarity' }),
      'test',
      logger,
    ));
    ({ auth: rsVerifier, settings: rsSettings } = authFor(jwtConfig({ publicKey: rsa.publicPem }), 'test', logger));
    ({ auth: esVerifier, settings: esSettings } = authFor(jwtConfig({ publicKey: ec.publicPem }), 'test', logger));
  });

  async function acceptedClaims(verifier: AuthService, token: string, sub: string): Promise<JWTPayload> {
    seen.push(token);
    const result = await verifier.verify(token);
    assert.equal(result.sub, sub);
    assert.equal(result.claims.sub, sub);
    return result.claims;
  }
  async function accepted(verifier: AuthService, token: string, sub: string): Promise<void> {
    await acceptedClaims(verifier, token, sub);
  }

  async function refused(verifier: AuthService, token: unknown, reason?: RegExp): Promise<void> {
    if (typeof token === 'string' && token.length > 0) seen.push(token);
    await assert.rejects(verifier.verify(token as string), (error: unknown) => {
      assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
      assert.equal(error.code, 'UNAUTHORIZED');
      if (typeof token === 'string' && token.length > 0) {
        assert.ok(!error.message.includes(token), 'the reason must not contain the token');
      }
      if (reason) assert.match(error.reason, reason);
      return true;
    });
  }

  describe('HS256 (JWT_SECRET)', () => {
    test('a valid token is accepted with its claims', async () => {
      const claims = await acceptedClaims(hsVerifier, await hs({ sub: 'alice', team: 'blue' }), 'alice');
      assert.equal(claims.team, 'blue');
      assert.equal(hsSettings.algorithm, 'HS256');
      assert.equal(hsSettings.source, 'secret');
    });
    test('no token (undefined / null) is refused', async () => {
      await refused(hsVerifier, undefined, /no token/);
      await refused(hsVerifier, null, /no token/);
    });
    test('an empty token is refused', () => refused(hsVerifier, '', /no token/));
    test('garbage is refused as malformed', async () => {
      for (const garbage of ['not-a-jwt', 'not.a.jwt', 'a.b', '...', 'a b.c d.e f', 'Bearer x.y.z']) {
        await refused(hsVerifier, garbage);
      }
      await refused(hsVerifier, `${Buffer.from('{').toString('base64url')}.e30.c2ln`, /malformed/);
    });
    test('an expired token is refused', () =>
      hs({ sub: 'alice', exp: nowSeconds() - 2 * CLOCK_TOLERANCE_SECONDS }).then((t) =>
        refused(hsVerifier, t, /expired/),
      ));
    test('a token expired within the clock tolerance is accepted', async () =>
      accepted(hsVerifier, await hs({ sub: 'alice', exp: nowSeconds() - CLOCK_TOLERANCE_SECONDS / 3 }), 'alice'));
    test('a not-yet-valid token (nbf in the future) is refused', () =>
      hs({ sub: 'alice', nbf: nowSeconds() + 2 * CLOCK_TOLERANCE_SECONDS }).then((t) => refused(hsVerifier, t, /nbf/)));
    test('nbf slightly in the future (within tolerance) is accepted', async () =>
      accepted(hsVerifier, await hs({ sub: 'alice', nbf: nowSeconds() + CLOCK_TOLERANCE_SECONDS / 3 }), 'alice'));
    test('a token without exp is refused', async () => {
      const token = signJws({ alg: 'HS256' }, { sub: 'alice' }, secretBytes(SECRET));
      await refused(hsVerifier, token, /exp/);
    });
    test('a token signed with another secret is refused', () =>
      hs({ sub: 'alice' }, randomSecret()).then((t) => refused(hsVerifier, t, /signature/)));
    test('a tampered payload is refused', async () => {
      const [header, , signature] = (await hs({ sub: 'alice' })).split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: nowSeconds() + 3600 })).toString('base64url')}.${signature}`;
      await refused(hsVerifier, forged, /signature/);
    });
    test('alg "none" is refused, with or without a signature part', async () => {
      const payload = { sub: 'mallory', exp: nowSeconds() + 3600 };
      await refused(hsVerifier, craftToken({ alg: 'none' }, payload));
      await refused(hsVerifier, craftToken({ alg: 'none', typ: 'JWT' }, payload, 'AAAA'), /algorithm/);
      await refused(hsVerifier, craftToken({ alg: 'NONE' }, payload, 'AAAA'));
    });
    test('another HMAC algorithm with the right secret is refused (only HS256)', async () => {
      await refused(hsVerifier, await hs({ sub: 'alice' }, SECRET, 'HS384'), /algorithm/);
      await refused(hsVerifier, await hs({ sub: 'alice' }, SECRET, 'HS512'), /algorithm/);
    });
    test('an RS256 token is refused by an HS256 verifier', async () =>
      refused(hsVerifier, await sign({ sub: 'alice' }, 'RS256', rsa.privateKey), /algorithm/));
    test('a missing, empty, non-string or over-long sub is refused', async () => {
      await refused(hsVerifier, await hs({}), /sub/);
      await refused(hsVerifier, await hs({ sub: '' }), /sub/);
      await refused(hsVerifier, await hs({ sub: '   ' }), /sub/);
      await refused(hsVerifier, await hs({ sub: 42 } as unknown as JWTPayload));
      await refused(hsVerifier, await hs({ sub: 'x'.repeat(257) }), /sub/);
    });
    test('a sub of 256 characters is accepted', async () =>
      accepted(hsVerifier, await hs({ sub: 'x'.repeat(256) }), 'x'.repeat(256)));
    test('an oversized (but validly signed) token is refused before parsing', async () => {
      const big = await hs({ sub: 'alice', padding: 'p'.repeat(MAX_TOKEN_LENGTH) });
      assert.ok(big.length > MAX_TOKEN_LENGTH);
      await refused(hsVerifier, big, /longer than/);
    });
  });

  describe('issuer and audience, when configured', () => {
    const good = { sub: 'alice', iss: 'https://id.example', aud: 'clarity' };
    test('matching iss and aud are accepted (aud may be an array)', async () => {
      await accepted(scopedVerifier, await hs(good), 'alice');
      await accepted(scopedVerifier, await hs({ ...good, aud: ['portal', 'clarity'] }), 'alice');
    });
    test('a wrong issuer is refused', async () =>
      refused(scopedVerifier, await hs({ ...good, iss: 'https://evil.example' }), /iss/));
    test('a missing issuer is refused', async () =>
      refused(scopedVerifier, await hs({ sub: 'alice', aud: 'clarity' }), /iss/));
    test('a wrong audience is refused', async () =>
      refused(scopedVerifier, await hs({ ...good, aud: 'other' }), /aud/));
    test('a missing audience is refused', async () =>
      refused(scopedVerifier, await hs({ sub: 'alice', iss: 'https://id.example' }), /aud/));
    test('not configured: iss/aud are not checked', async () =>
      accepted(hsVerifier, await hs({ ...good, iss: 'anyone', aud: 'anything' }), 'alice'));
  });

  describe('RS256 (JWT_PUBLIC_KEY, RSA)', () => {
    test('a valid RS256 token is accepted', async () => {
      assert.equal(rsSettings.algorithm, 'RS256');
      assert.equal(rsSettings.source, 'public-key');
      await accepted(rsVerifier, await sign({ sub: 'bob' }, 'RS256', rsa.privateKey), 'bob');
    });
    test('HS/RS confusion: an HS256 token signed with the public key PEM as secret is refused', async () => {
      const token = await sign({ sub: 'mallory' }, 'HS256', secretBytes(rsa.publicPem));
      await refused(rsVerifier, token, /algorithm/);
    });
    test('an RS256 token signed by another RSA key is refused', async () =>
      refused(rsVerifier, await sign({ sub: 'bob' }, 'RS256', otherRsa.privateKey), /signature/));
    test('other RSA algorithms (PS256, RS512) with the right key are refused', async () => {
      await refused(rsVerifier, await sign({ sub: 'bob' }, 'PS256', rsa.privateKey), /algorithm/);
      await refused(rsVerifier, await sign({ sub: 'bob' }, 'RS512', rsa.privateKey), /algorithm/);
    });
    test('an ES256 token is refused by an RS256 verifier', async () =>
      refused(rsVerifier, await sign({ sub: 'bob' }, 'ES256', ec.privateKey), /algorithm/));
    test('exp is checked for RS256 too', async () =>
      refused(rsVerifier, await sign({ sub: 'bob', exp: nowSeconds() - 3600 }, 'RS256', rsa.privateKey), /expired/));
  });

  describe('ES256 (JWT_PUBLIC_KEY, EC P-256)', () => {
    test('a valid ES256 token is accepted', async () => {
      assert.equal(esSettings.algorithm, 'ES256');
      await accepted(esVerifier, await sign({ sub: 'carol' }, 'ES256', ec.privateKey), 'carol');
    });
    test('an RS256 token is refused by an ES256 verifier', async () =>
      refused(esVerifier, await sign({ sub: 'carol' }, 'RS256', rsa.privateKey), /algorithm/));
    test('an HS256 token signed with the EC public key PEM is refused', async () =>
      refused(esVerifier, await sign({ sub: 'carol' }, 'HS256', secretBytes(ec.publicPem)), /algorithm/));
    test('an ES256 token of another EC key is refused', async () =>
      refused(esVerifier, await sign({ sub: 'carol' }, 'ES256', ecKeyPair().privateKey), /signature/));
  });

  test('an unsupported public key type is refused at construction', () => {
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => authFor(jwtConfig({ publicKey: ed25519 }), 'test', logger), /unsupported key type/);
    assert.throws(
      () =>
        authFor(jwtConfig({ publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }), 'test', logger),
      /not a readable PEM/,
    );
  });

  test('verification never logs a token', () => {
    assert.ok(seen.length > 20);
    const logged = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const token of seen) assert.ok(!logged.includes(token));
  });
});
