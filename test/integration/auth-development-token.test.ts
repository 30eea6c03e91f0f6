import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { TokenVerifier, DEVELOPMENT_SUBJECT, DEVELOPMENT_TOKEN_TTL_SECONDS } from '../../src/auth/token-verifier.js';
import { AuthError } from '../../src/auth/auth-error.js';
import { capturingLogger, jwtConfig, randomSecret } from '../support/auth-fixtures.js';

describe('development without a key', () => {
  test('an ephemeral HS256 secret; the development token verifies and lasts 12 h', async () => {
    const { logger } = capturingLogger();
    const verifier = new TokenVerifier(jwtConfig(), 'development', logger);
    assert.equal(verifier.keySource, 'ephemeral');
    assert.equal(verifier.algorithm, 'HS256');
    const token = await verifier.developmentToken();
    assert.equal(await verifier.developmentToken(), token, 'the same token on every call');
    const { sub, claims } = await verifier.verify(token);
    assert.equal(sub, DEVELOPMENT_SUBJECT);
    assert.equal(sub, 'developer');
    assert.equal(claims.exp! - claims.iat!, DEVELOPMENT_TOKEN_TTL_SECONDS);
    assert.equal(DEVELOPMENT_TOKEN_TTL_SECONDS, 12 * 3600);
    assert.equal(decodeProtectedHeader(token).alg, 'HS256');
  });

  test('each process (verifier) has its own secret', async () => {
    const { logger } = capturingLogger();
    const a = new TokenVerifier(jwtConfig(), 'development', logger);
    const b = new TokenVerifier(jwtConfig(), 'development', logger);
    await assert.rejects(b.verify(await a.developmentToken()), AuthError);
  });

  test('the development token carries the configured issuer/audience so it verifies', async () => {
    const { logger } = capturingLogger();
    const verifier = new TokenVerifier(jwtConfig({ issuer: 'dev-issuer', audience: 'clarity' }), 'development', logger);
    const token = await verifier.developmentToken();
    assert.equal(decodeJwt(token).iss, 'dev-issuer');
    assert.equal((await verifier.verify(token)).sub, 'developer');
  });

  test('announced once, as a warn line naming the token and the production variables', async () => {
    const { logger, lines } = capturingLogger();
    const verifier = new TokenVerifier(jwtConfig(), 'development', logger);
    await verifier.announceDevelopmentToken();
    await verifier.announceDevelopmentToken();
    const token = await verifier.developmentToken();
    const announcements = lines.filter((line) => line.message.includes(token));
    assert.equal(announcements.length, 1);
    assert.equal(announcements[0]!.level, 'warn');
    assert.match(announcements[0]!.message, /development token/i);
    assert.match(announcements[0]!.message, /JWT_SECRET/);
    assert.match(announcements[0]!.message, /JWT_PUBLIC_KEY/);
  });

  test('in the test environment the same ephemeral behaviour, announced at debug level', async () => {
    const { logger, lines } = capturingLogger();
    const verifier = new TokenVerifier(jwtConfig(), 'test', logger);
    assert.equal(verifier.keySource, 'ephemeral');
    await verifier.announceDevelopmentToken();
    const token = await verifier.developmentToken();
    assert.equal((await verifier.verify(token)).sub, 'developer');
    assert.deepEqual(
      lines.filter((line) => line.message.includes(token)).map((line) => line.level),
      ['debug'],
    );
  });

  test('production without a key refuses to construct', () => {
    const { logger } = capturingLogger();
    assert.throws(() => new TokenVerifier(jwtConfig(), 'production', logger), /JWT_SECRET or JWT_PUBLIC_KEY/);
  });

  test('with a configured secret there is no development token and nothing is announced', async () => {
    const { logger, lines } = capturingLogger();
    const verifier = new TokenVerifier(jwtConfig({ secret: randomSecret() }), 'development', logger);
    assert.equal(verifier.keySource, 'secret');
    await assert.rejects(verifier.developmentToken(), /key is configured/);
    await verifier.announceDevelopmentToken();
    assert.equal(lines.length, 0);
  });
});
