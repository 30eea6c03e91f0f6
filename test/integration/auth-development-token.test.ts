import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVELOPMENT_SUBJECT, DEVELOPMENT_TOKEN_TTL_SECONDS } from '../../src/auth/auth.constants.js';
import { AuthError } from '../../src/auth/auth-error.js';
import { authFor, capturingLogger, decodeToken, jwtConfig, randomSecret } from '../support/auth-fixtures.js';

const decodeJwt = (token: string) => decodeToken(token).claims;
const decodeProtectedHeader = (token: string) => decodeToken(token).header;

describe('development without a key', () => {
  test('an ephemeral HS256 secret; the development token verifies and lasts 12 h', async () => {
    const { logger } = capturingLogger();
    const { auth: verifier, settings } = authFor(jwtConfig(), 'development', logger);
    assert.equal(settings.source, 'ephemeral');
    assert.equal(settings.algorithm, 'HS256');
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
    const { auth: a } = authFor(jwtConfig(), 'development', logger);
    const { auth: b } = authFor(jwtConfig(), 'development', logger);
    await assert.rejects(b.verify(await a.developmentToken()), AuthError);
  });

  test('the development token carries the configured issuer/audience so it verifies', async () => {
    const { logger } = capturingLogger();
    const { auth: verifier } = authFor(jwtConfig({ issuer: 'dev-issuer', audience: 'clarity' }), 'development', logger);
    const token = await verifier.developmentToken();
    assert.equal(decodeJwt(token).iss, 'dev-issuer');
    assert.equal((await verifier.verify(token)).sub, 'developer');
  });

  test('announced once, as a warn line naming the token and the production variables', async () => {
    const { logger, lines } = capturingLogger();
    const { auth: verifier } = authFor(jwtConfig(), 'development', logger);
    await verifier.onModuleInit();
    await verifier.onModuleInit();
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
    const { auth: verifier, settings } = authFor(jwtConfig(), 'test', logger);
    assert.equal(settings.source, 'ephemeral');
    await verifier.onModuleInit();
    const token = await verifier.developmentToken();
    assert.equal((await verifier.verify(token)).sub, 'developer');
    assert.deepEqual(
      lines.filter((line) => line.message.includes(token)).map((line) => line.level),
      ['debug'],
    );
  });

  test('production without a key refuses to construct', () => {
    const { logger } = capturingLogger();
    assert.throws(() => authFor(jwtConfig(), 'production', logger), /JWT_SECRET or JWT_PUBLIC_KEY/);
  });

  test('with a configured secret there is no development token and nothing is announced', async () => {
    const { logger, lines } = capturingLogger();
    const { auth: verifier, settings } = authFor(jwtConfig({ secret: randomSecret() }), 'development', logger);
    assert.equal(settings.source, 'secret');
    await assert.rejects(verifier.developmentToken(), /key is configured/);
    await verifier.onModuleInit();
    assert.equal(lines.length, 0);
  });
});
