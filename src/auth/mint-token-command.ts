import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JwtService, type JwtSignOptions } from '@nestjs/jwt';
import type { AppConfig } from '../config/app-config.js';
import { MAX_SUBJECT_LENGTH } from './auth.constants.js';
import { isKeyPair, privateSigningKey, type JwtKey } from './jwt-keys.js';
import { jwtSettings, type JwtSettings } from './jwt-settings.js';
import { parseTtl } from './ttl.js';

export const TOKEN_CLI_USAGE = `Usage: npm run token -- --sub <user id> [--ttl 1h] [--admin] [--issuer X] [--audience Y] [--private-key key.pem]

Mints a JWT that this Clarity configuration accepts and prints it on stdout.
  --sub          user id (required)
  --ttl          lifetime: 30s, 15m, 1h, 7d (default 1h)
  --admin        adds roles: ["admin"] (operator endpoints)
  --issuer       iss claim (default JWT_ISSUER)
  --audience     aud claim (default JWT_AUDIENCE)
  --private-key  PEM (PKCS#8) private key file; required with JWT_PUBLIC_KEY (RS256/ES256 from the key type)
With JWT_SECRET the token is HS256.`;

/** A usage or configuration problem; its message is one line. */
export class TokenCommandError extends Error {
  override name = 'TokenCommandError';
}

export type TokenCommandResult = { help: true } | { help: false; token: string };

/** Parses the CLI arguments and mints a token for the configured key. */
export async function mintTokenCommand(argv: string[], config: AppConfig): Promise<TokenCommandResult> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        admin: { type: 'boolean', default: false },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        'private-key': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new TokenCommandError(`${firstLine(error)} (see --help)`);
  }
  if (values.help) return { help: true };

  const sub = values.sub?.trim();
  if (!sub) throw new TokenCommandError('--sub <user id> is required');
  if (sub.length > MAX_SUBJECT_LENGTH)
    throw new TokenCommandError(`--sub must be at most ${MAX_SUBJECT_LENGTH} characters`);
  let ttlSeconds: number;
  try {
    ttlSeconds = parseTtl(values.ttl);
  } catch (error) {
    throw new TokenCommandError(`--ttl: ${firstLine(error)}`);
  }

  // The server's JwtModule options (algorithm, JWT_ISSUER/JWT_AUDIENCE); the flags override the claims.
  const { settings, privateKey } = signingKey(config, values['private-key']);
  const options: JwtSignOptions = {
    subject: sub,
    expiresIn: ttlSeconds,
    ...(values.issuer ? { issuer: values.issuer } : {}),
    ...(values.audience ? { audience: values.audience } : {}),
    ...(privateKey ? { privateKey } : {}),
  };
  const token = await new JwtService(settings.options).signAsync(values.admin ? { roles: ['admin'] } : {}, options);
  return { help: false, token };
}

/** The configured key's settings and, with JWT_PUBLIC_KEY, the matching private key to sign with. */
function signingKey(
  config: AppConfig,
  privateKeyFile: string | undefined,
): { settings: JwtSettings; privateKey?: JwtKey['key'] } {
  const { secret, publicKey } = config.jwt;
  if (secret) {
    if (privateKeyFile) {
      throw new TokenCommandError(
        '--private-key is not used with JWT_SECRET (HS256): omit it, or configure JWT_PUBLIC_KEY',
      );
    }
    return { settings: jwtSettings(config) };
  }
  if (publicKey) {
    if (!privateKeyFile) {
      throw new TokenCommandError(
        'JWT_PUBLIC_KEY is configured: pass the matching private key with --private-key <file.pem> (PKCS#8)',
      );
    }
    let pem: string;
    try {
      pem = readFileSync(privateKeyFile, 'utf8');
    } catch {
      throw new TokenCommandError(`cannot read private key file ${privateKeyFile}`);
    }
    let key: JwtKey;
    let settings: JwtSettings;
    try {
      key = privateSigningKey(pem);
      settings = jwtSettings(config);
    } catch (error) {
      throw new TokenCommandError(`${privateKeyFile}: ${firstLine(error)}`);
    }
    if (!isKeyPair(key.key, settings.key)) {
      throw new TokenCommandError(`${privateKeyFile} does not match JWT_PUBLIC_KEY: Clarity would refuse its tokens`);
    }
    return { settings, privateKey: key.key };
  }
  throw new TokenCommandError(
    'no JWT key configured: set JWT_SECRET (or JWT_PUBLIC_KEY with --private-key); without one the server uses an ' +
      'ephemeral per-process secret that cannot be minted for — use the development token it prints at start-up',
  );
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
