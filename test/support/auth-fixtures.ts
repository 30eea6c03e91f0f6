import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import type { AppConfig } from '../../src/config/app-config.js';

/** base64url of a JSON value, for hand-crafted tokens. */
export function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A compact JWS from raw parts (no signing: for `alg: none` and tampering). */
export function craftToken(header: object, payload: object, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
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
