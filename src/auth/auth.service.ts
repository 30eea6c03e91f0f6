import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JsonWebTokenError, JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { AuthError } from './auth-error.js';
import {
  DEVELOPMENT_SUBJECT,
  DEVELOPMENT_TOKEN_TTL_SECONDS,
  MAX_SUBJECT_LENGTH,
  MAX_TOKEN_LENGTH,
} from './auth.constants.js';
import { JWT_SETTINGS, type JwtSettings } from './jwt-settings.js';

/** The claims of a verified token. */
export interface TokenClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface VerifiedToken {
  sub: string;
  claims: TokenClaims;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies the JWTs of handshakes (spec §3) through `JwtService`, whose options
 * ({@link JwtSettings}) pin the algorithm of the configured key, the clock tolerance
 * and issuer/audience. On top of that: a length cap before any parsing, a required
 * `exp` and a non-empty `sub` of at most {@link MAX_SUBJECT_LENGTH} characters.
 * With the ephemeral development secret it prints the development token once at start-up.
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private devToken?: Promise<string>;
  private announced = false;

  constructor(
    private readonly jwt: JwtService,
    @Inject(JWT_SETTINGS) private readonly settings: JwtSettings,
    @Inject(CONFIG) private readonly config: Pick<AppConfig, 'env'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * With the ephemeral secret: logs the development token once (warn in
   * development, debug in test). Does nothing when a key is configured.
   */
  async onModuleInit(): Promise<void> {
    if (this.settings.source !== 'ephemeral' || this.announced) return;
    this.announced = true;
    const token = await this.developmentToken();
    const level = this.config.env === 'test' ? 'debug' : 'warn';
    this.logger.log(
      level,
      `No JWT_SECRET or JWT_PUBLIC_KEY configured: using an ephemeral secret valid for this process only. ` +
        `Development token (sub "${DEVELOPMENT_SUBJECT}", valid 12 h): ${token} — ` +
        `production needs JWT_SECRET or JWT_PUBLIC_KEY.`,
      { context: 'Auth' },
    );
  }

  /** Verifies a token; any failure throws {@link AuthError} (reason for logs only; clients see "Unauthorized"). */
  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0) throw new AuthError('no token');
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthError(`token longer than ${MAX_TOKEN_LENGTH} characters`);
    if (!COMPACT_JWS.test(token)) throw new AuthError('malformed token');

    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch (error) {
      throw new AuthError(describeFailure(error));
    }
    if (claims === null || typeof claims !== 'object') throw new AuthError('malformed token');
    if (typeof claims.exp !== 'number') throw new AuthError('exp claim missing');
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub.trim() === '') throw new AuthError('sub claim missing or empty');
    if (sub.length > MAX_SUBJECT_LENGTH) throw new AuthError(`sub claim longer than ${MAX_SUBJECT_LENGTH} characters`);
    return { sub, claims };
  }

  /**
   * The development token (sub "developer", 12 h) of the ephemeral secret, with the
   * configured issuer/audience; the same token on every call. Rejects when a key is configured.
   */
  developmentToken(): Promise<string> {
    if (this.settings.source !== 'ephemeral') {
      return Promise.reject(new Error('no development token: a JWT key is configured'));
    }
    this.devToken ??= this.jwt.signAsync(
      {},
      { subject: DEVELOPMENT_SUBJECT, expiresIn: DEVELOPMENT_TOKEN_TTL_SECONDS },
    );
    return this.devToken;
  }
}

/** A reason for the logs; never contains the token (jsonwebtoken's messages are mapped, not copied). */
function describeFailure(error: unknown): string {
  if (error instanceof TokenExpiredError) return 'token expired';
  if (error instanceof NotBeforeError) return 'claim nbf rejected (not active yet)';
  if (!(error instanceof JsonWebTokenError)) return 'invalid token';
  const message = error.message;
  if (message === 'invalid algorithm') return 'algorithm not allowed';
  if (message === 'invalid signature') return 'signature verification failed';
  if (message.startsWith('jwt issuer invalid')) return 'claim iss rejected (unexpected issuer)';
  if (message.startsWith('jwt audience invalid')) return 'claim aud rejected (unexpected audience)';
  if (message === 'invalid exp value') return 'claim exp rejected (not a number)';
  if (message === 'invalid nbf value') return 'claim nbf rejected (not a number)';
  if (message === 'jwt malformed' || message === 'invalid token') return 'malformed token';
  return 'invalid token';
}
