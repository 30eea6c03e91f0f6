import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { LOGGER, type Logger } from '../logging/logging.module.js';
import { TokenVerifier, type KeySource, type VerifiedToken } from './token-verifier.js';
import { isAdmin } from './is-admin.js';

/**
 * Nest face of {@link TokenVerifier}: verifies handshake tokens and, without a
 * configured key outside production, prints the development token once at start-up.
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly verifier: TokenVerifier;

  constructor(@Inject(CONFIG) config: AppConfig, @Inject(LOGGER) logger: Logger) {
    this.verifier = new TokenVerifier(config.jwt, config.env, logger);
  }

  async onModuleInit(): Promise<void> {
    await this.verifier.announceDevelopmentToken();
  }

  /** Throws AuthError (reason for logs only; clients see "Unauthorized"). */
  verify(token: string): Promise<VerifiedToken> {
    return this.verifier.verify(token);
  }

  /** The development token of the ephemeral secret; rejects when a key is configured. */
  developmentToken(): Promise<string> {
    return this.verifier.developmentToken();
  }

  get keySource(): KeySource {
    return this.verifier.keySource;
  }

  isAdmin(claims: JWTPayload | undefined | null): boolean {
    return isAdmin(claims);
  }
}
