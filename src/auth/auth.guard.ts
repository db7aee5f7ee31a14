import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors.js';
import { PERMISSION_KEY, PUBLIC_KEY, type AuthenticatedRequest } from './auth.decorators.js';
import { can, missingPermissionMessage, type Permission } from './permissions.js';
import { bearerToken } from './token-codec.js';
import { TokensService } from './tokens.service.js';

/** Every route needs a valid bearer token unless marked @Public; @RequirePermission adds a permission check. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthorizedError('This request needs an API token: send "Authorization: Bearer <token>".');
    request.principal = await this.tokens.authenticate(token);
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets) ?? 'read';
    if (!can(request.principal, permission))
      throw new ForbiddenError(missingPermissionMessage(request.principal, permission));
    return true;
  }
}

/** For services: 403 unless the principal holds the permission in that environment. */
export function assertCan(
  principal: import('./permissions.js').Principal,
  permission: Permission,
  environment?: string | null,
): void {
  if (!can(principal, permission, environment))
    throw new ForbiddenError(missingPermissionMessage(principal, permission, environment));
}
