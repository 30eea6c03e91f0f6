import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { AuthService, type VerifiedToken } from './auth.service.js';
import { extractToken } from './extract-token.js';
import { isAdmin } from './is-admin.js';

interface GuardedRequest {
  headers: Record<string, unknown>;
  verifiedToken?: VerifiedToken;
}

/**
 * Operator endpoints: 401 without a Bearer token or with one that does not verify,
 * 403 when the verified claims do not grant admin rights ({@link isAdmin}).
 * The verified token is available to the handler through {@link VerifiedAdmin}.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const token = extractToken({ headers: { authorization: request.headers.authorization } });
    if (!token) throw new UnauthorizedException();
    const verified = await this.auth.verify(token).catch(() => undefined);
    if (!verified) throw new UnauthorizedException();
    if (!isAdmin(verified.claims)) throw new ForbiddenException();
    request.verifiedToken = verified;
    return true;
  }
}

/** Handler parameter: the token {@link AdminGuard} verified. */
export const VerifiedAdmin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedToken =>
    context.switchToHttp().getRequest<GuardedRequest>().verifiedToken!,
);
