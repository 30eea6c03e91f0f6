import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { LoggingModule } from '../../src/logging/logging.module.js';
import { AuthModule } from '../../src/auth/auth.module.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { AuthError } from '../../src/auth/auth-error.js';
import { capturingLogger, randomSecret } from '../support/auth-fixtures.js';

async function startContext(env: Record<string, string>) {
  const config = loadConfig(env, { dotenvPath: null });
  const { logger, lines } = capturingLogger();
  @Module({ imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(logger), AuthModule] })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  await app.init();
  return { app, lines, auth: app.get(AuthService) };
}

describe('AuthModule', () => {
  test('development without a key: the token is printed once at start-up and verifies', async () => {
    const { app, lines, auth } = await startContext({ NODE_ENV: 'development' });
    try {
      assert.equal(auth.keySource, 'ephemeral');
      const token = await auth.developmentToken();
      const printed = lines.filter((line) => line.message.includes(token));
      assert.equal(printed.length, 1);
      assert.equal(printed[0]!.level, 'warn');
      const { sub, claims } = await auth.verify(token);
      assert.equal(sub, 'developer');
      assert.equal(auth.isAdmin(claims), false);
    } finally {
      await app.close();
    }
  });

  test('with JWT_SECRET: tokens of that secret verify, admin is recognised, nothing printed', async () => {
    const secret = randomSecret();
    const { app, lines, auth } = await startContext({ NODE_ENV: 'test', JWT_SECRET: secret });
    try {
      assert.equal(auth.keySource, 'secret');
      const token = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('ops')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      const { sub, claims } = await auth.verify(token);
      assert.equal(sub, 'ops');
      assert.equal(auth.isAdmin(claims), true);
      await assert.rejects(auth.verify('not.a.token'), AuthError);
      await assert.rejects(auth.developmentToken());
      assert.equal(lines.filter((line) => /development token/i.test(line.message)).length, 0);
    } finally {
      await app.close();
    }
  });
});
