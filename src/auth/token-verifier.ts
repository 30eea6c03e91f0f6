import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import type { Logger } from '../logging/logging.module.js';
import { AuthError } from './auth-error.js';
import { hmacKey, publicVerificationKey, type JwtKey } from './jwt-keys.js';
import { signToken } from './token-signer.js';

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
/** Allowed clock skew for `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;
export const MAX_SUBJECT_LENGTH = 256;
export const DEVELOPMENT_SUBJECT = 'developer';
export const DEVELOPMENT_TOKEN_TTL_SECONDS = 12 * 3600;

export interface VerifiedToken {
  sub: string;
  claims: JWTPayload;
}

/** Where the verification key comes from. */
export type KeySource = 'secret' | 'public-key' | 'ephemeral';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies the JWTs of handshakes (spec §3). Accepts only the algorithm of the
 * configured key (HS256 for JWT_SECRET, RS256/ES256 for JWT_PUBLIC_KEY), checks
 * `exp`/`nbf` with a small tolerance, issuer/audience when configured, and
 * requires a `sub`. Without a key outside production it uses an ephemeral random
 * HS256 secret and can mint a development token for it.
 */
export class TokenVerifier {
  readonly keySource: KeySource;
  private readonly key: JwtKey;
  private devToken?: Promise<string>;
  private announced = false;

  constructor(
    private readonly jwt: AppConfig['jwt'],
    private readonly env: AppConfig['env'],
    private readonly logger: Logger,
  ) {
    if (jwt.secret) {
      this.key = hmacKey(jwt.secret);
      this.keySource = 'secret';
    } else if (jwt.publicKey) {
      this.key = publicVerificationKey(jwt.publicKey);
      this.keySource = 'public-key';
    } else if (env !== 'production') {
      this.key = { alg: 'HS256', key: new Uint8Array(randomBytes(32)) };
      this.keySource = 'ephemeral';
    } else {
      throw new Error('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
    }
  }

  /** The one algorithm tokens must be signed with. */
  get algorithm(): JwtKey['alg'] {
    return this.key.alg;
  }

  /** Verifies a token; any failure throws {@link AuthError} (reason for logs only). */
  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0) throw new AuthError('no token');
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError(`token longer than ${MAX_TOKEN_LENGTH} characters`);
    if (!COMPACT_JWS.test(token)) throw new AuthError('malformed token');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key.key, {
        algorithms: [this.key.alg],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        issuer: this.jwt.issuer,
        audience: this.jwt.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new AuthError(describeFailure(error));
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.trim() === '') throw new AuthError('sub claim missing or empty');
    if (sub.length > MAX_SUBJECT_LENGTH) throw new AuthError(`sub claim longer than ${MAX_SUBJECT_LENGTH} characters`);
    return { sub, claims: payload };
  }

  /**
   * The development token (sub "developer", 12 h) for the ephemeral secret; the
   * same token on every call. Throws when a real key is configured.
   */
  developmentToken(): Promise<string> {
    if (this.keySource !== 'ephemeral') {
      return Promise.reject(new Error('no development token: a JWT key is configured'));
    }
    this.devToken ??= signToken(this.key, {
      sub: DEVELOPMENT_SUBJECT,
      ttlSeconds: DEVELOPMENT_TOKEN_TTL_SECONDS,
      issuer: this.jwt.issuer,
      audience: this.jwt.audience,
    });
    return this.devToken;
  }

  /**
   * With the ephemeral secret: logs the development token once (warn in
   * development, debug in test). Does nothing when a key is configured.
   */
  async announceDevelopmentToken(): Promise<void> {
    if (this.keySource !== 'ephemeral' || this.announced) return;
    this.announced = true;
    const token = await this.developmentToken();
    const level = this.env === 'test' ? 'debug' : 'warn';
    this.logger.log(
      level,
      `No JWT_SECRET or JWT_PUBLIC_KEY configured: using an ephemeral secret valid for this process only. ` +
        `Development token (sub "${DEVELOPMENT_SUBJECT}", valid 12 h): ${token} — ` +
        `production needs JWT_SECRET or JWT_PUBLIC_KEY.`,
      { context: 'Auth' },
    );
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} rejected (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JOSENotSupported) return 'unsupported token';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  if (error instanceof errors.JOSEError) return `invalid token (${error.code})`;
  return 'invalid token';
}
