import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { JwtModuleOptions } from '@nestjs/jwt';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { CLOCK_TOLERANCE_SECONDS } from './auth.constants.js';
import { publicVerificationKey, type JwtAlgorithm } from './jwt-keys.js';

/** Where the verification key comes from. */
export type KeySource = 'secret' | 'public-key' | 'ephemeral';

/** The configured key and the `JwtModule` options built from it. */
export interface JwtSettings {
  source: KeySource;
  /** The one algorithm tokens are signed and verified with. */
  algorithm: JwtAlgorithm;
  /** HS256 secret, or the RS256/ES256 public key. */
  key: KeyObject;
  options: JwtModuleOptions;
}

/** Injection token of the {@link JwtSettings} of the running configuration. */
export const JWT_SETTINGS = Symbol('CLARITY_JWT_SETTINGS');

/**
 * The JWT key of a configuration: HS256 with JWT_SECRET, RS256/ES256 (from the key
 * type) with JWT_PUBLIC_KEY, or an ephemeral random HS256 secret outside production.
 * Verification accepts only that algorithm (so neither `alg: none` nor an HS256 token
 * signed with the public key text passes), checks `exp`/`nbf` with the clock tolerance
 * and issuer/audience when configured; signing uses the same algorithm and claims.
 * Throws when the public key is unusable, or in production without a key.
 */
export function jwtSettings(config: Pick<AppConfig, 'jwt' | 'env'>): JwtSettings {
  const { secret, publicKey, issuer, audience } = config.jwt;
  let source: KeySource;
  let algorithm: JwtAlgorithm;
  let key: KeyObject;
  if (secret) {
    source = 'secret';
    algorithm = 'HS256';
    key = createSecretKey(Buffer.from(secret, 'utf8'));
  } else if (publicKey) {
    source = 'public-key';
    ({ alg: algorithm, key } = publicVerificationKey(publicKey));
  } else if (config.env !== 'production') {
    source = 'ephemeral';
    algorithm = 'HS256';
    key = createSecretKey(randomBytes(32));
  } else {
    throw new Error('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  }
  const claims = { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
  return {
    source,
    algorithm,
    key,
    options: {
      ...(source === 'public-key' ? { publicKey: key } : { secret: key }),
      signOptions: { algorithm, ...claims },
      verifyOptions: { algorithms: [algorithm], clockTolerance: CLOCK_TOLERANCE_SECONDS, ...claims },
    },
  };
}

/** Provides {@link JWT_SETTINGS} once per application (one ephemeral secret per process). */
@Module({
  providers: [{ provide: JWT_SETTINGS, inject: [CONFIG], useFactory: jwtSettings }],
  exports: [JWT_SETTINGS],
})
export class JwtSettingsModule {}
