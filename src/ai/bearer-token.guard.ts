import { HttpException, HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthService, type VerifiedToken } from '../auth/auth.service.js';
import { extractToken } from '../auth/extract-token.js';

export interface AuthenticatedRequest {
  headers: Record<string, unknown>;
  verifiedToken?: VerifiedToken;
}

/**
 * HTTP routes for any signed-in user: 401 without an `Authorization: Bearer` token or
 * with one that does not verify (the same checks as the Socket.IO handshake). The
 * verified token is left on the request as `verifiedToken`.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = extractToken({ headers: { authorization: request.headers.authorization } });
    const verified = token ? await this.auth.verify(token).catch(() => undefined) : undefined;
    if (!verified) throw new HttpException('Unauthorized', HttpStatus.UNAUTHORIZED);
    request.verifiedToken = verified;
    return true;
  }
}
