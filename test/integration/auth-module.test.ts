import 'reflect-metadata';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { LoggingModule } from '../../src/logging/logging.module.js';
import { AuthModule } from '../../src/auth/auth.module.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { AuthError } from '../../src/auth/auth-error.js';
import { isAdmin } from '../../src/auth/is-admin.js';
import { JWT_SETTINGS, type JwtSettings } from '../../src/auth/jwt-settings.js';
import { capturingLogger, nowSeconds, randomSecret, signJws } from '../support/auth-fixtures.js';

async function startContext(env: Record<string, string>) {
  const config = loadConfig(env, { dotenvPath: null });
  const { logger, lines } = capturingLogger();
  @Module({ imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(logger), AuthModule] })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  await app.init();
  return { app, lines, auth: app.get(AuthService), settings: app.get<JwtSettings>(JWT_SETTINGS) };
}

describe('AuthModule', () => {
  test('development without a key: the token is printed once at start-up and verifies', async () => {
    const { app, lines, auth, settings } = await startContext({ NODE_ENV: 'development' });
    try {
      assert.equal(settings.source, 'ephemeral');
      const token = await auth.developmentToken();
      const printed = lines.filter((line) => line.message.includes(token));
      assert.equal(printed.length, 1);
      assert.equal(printed[0]!.level, 'warn');
      const { sub, claims } = await auth.verify(token);
      assert.equal(sub, 'developer');
      assert.equal(isAdmin(claims), false);
    } finally {
      await app.close();
    }
  });

  test('with JWT_SECRET: tokens of that secret verify, admin is recognised, nothing printed', async () => {
    const secret = randomSecret();
    const { app, lines, auth, settings } = await startContext({ NODE_ENV: 'test', JWT_SECRET: secret });
    try {
      assert.equal(settings.source, 'secret');
      const token = signJws({ alg: 'HS256' }, { roles: ['admin'], sub: 'ops', exp: nowSeconds() + 300 }, secret);
      const { sub, claims } = await auth.verify(token);
      assert.equal(sub, 'ops');
      assert.equal(isAdmin(claims), true);
      await assert.rejects(auth.verify('not.a.token'), AuthError);
      await assert.rejects(auth.developmentToken());
      assert.equal(lines.filter((line) => /development token/i.test(line.message)).length, 0);
    } finally {
      await app.close();
    }
  });
});
