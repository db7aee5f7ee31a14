import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Permission, Principal } from './permissions.js';

export const PUBLIC_KEY = 'backtrack:public';
export const PERMISSION_KEY = 'backtrack:permission';

/** No token needed (health, metrics, docs, the web UI's files). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The permission a route needs before it runs; environment limits are checked where the environment is known. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
