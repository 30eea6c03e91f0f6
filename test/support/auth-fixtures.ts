import {
  constants,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { Writable } from 'node:stream';
import { JwtService } from '@nestjs/jwt';
import winston from 'winston';
import type { AppConfig } from '../../src/config/app-config.js';
import { AuthService, type TokenClaims } from '../../src/auth/auth.service.js';
import { jwtSettings, type JwtSettings } from '../../src/auth/jwt-settings.js';

/** base64url of a JSON value, for hand-crafted tokens. */
export function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A compact JWS from raw parts (no signing: for `alg: none` and tampering). */
export function craftToken(header: object, payload: object, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

/**
 * Signs a compact JWS with node:crypto alone — independent of the library under test,
 * so hostile tokens (other algorithms, the public key PEM as an HMAC secret) can be forged.
 * `alg` is HS/RS/PS/ES 256/384/512; `key` a secret (string or bytes) for HS, a private KeyObject otherwise.
 */
export function signJws(
  header: Record<string, unknown>,
  payload: object,
  key: string | Uint8Array | KeyObject,
): string {
  const alg = String(header.alg);
  const match = /^(HS|RS|PS|ES)(256|384|512)$/.exec(alg);
  if (!match) throw new Error(`signJws: unsupported alg ${alg}`);
  const hash = `sha${match[2]}`;
  const input = `${b64url(header)}.${b64url(payload)}`;
  let signature: Buffer;
  if (match[1] === 'HS') {
    signature = createHmac(hash, key as string | Uint8Array)
      .update(input)
      .digest();
  } else {
    const privateKey = key as KeyObject;
    signature =
      match[1] === 'RS'
        ? cryptoSign(hash, Buffer.from(input), privateKey)
        : match[1] === 'PS'
          ? cryptoSign(hash, Buffer.from(input), {
              key: privateKey,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: Number(match[2]) / 8,
            })
          : cryptoSign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  }
  return `${input}.${signature.toString('base64url')}`;
}

/** The decoded header and payload of a compact JWS (no verification). */
export function decodeToken(token: string): { header: Record<string, unknown>; claims: TokenClaims } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload!, 'base64url').toString()) as TokenClaims,
  };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function randomSecret(): string {
  return randomBytes(32).toString('hex');
}

export interface PemKeyPair {
  publicPem: string;
  privatePem: string;
  privateKey: KeyObject;
}

export function rsaKeyPair(): PemKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return toPem(publicKey, privateKey);
}

export function ecKeyPair(namedCurve = 'P-256'): PemKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve });
  return toPem(publicKey, privateKey);
}

function toPem(publicKey: KeyObject, privateKey: KeyObject): PemKeyPair {
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
  };
}

export interface CapturedLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A real winston logger whose lines are kept in `lines` (level debug and up). */
export function capturingLogger(): { logger: winston.Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: CapturedLine, _encoding, done) {
      lines.push({ ...info });
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}

export function jwtConfig(overrides: Partial<AppConfig['jwt']> = {}): AppConfig['jwt'] {
  return { secret: undefined, publicKey: undefined, issuer: undefined, audience: undefined, ...overrides };
}

/**
 * An AuthService wired as AuthModule wires it (a JwtService on the settings of the
 * configuration), without a Nest application; throws as AuthModule's start-up would.
 */
export function authFor(
  jwt: AppConfig['jwt'],
  env: AppConfig['env'],
  logger: winston.Logger,
): { auth: AuthService; settings: JwtSettings } {
  const config = { jwt, env };
  const settings = jwtSettings(config);
  return { auth: new AuthService(new JwtService(settings.options), settings, config, logger), settings };
}
