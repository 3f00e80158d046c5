/** The role check (shared/roles.ts) as the server applies it: 403 `forbidden`, naming the role needed. */
import { createMiddleware } from 'hono/factory';
import { allows, forbiddenMessage, type Permission } from '../../shared/roles.js';
import { ApiError } from '../api-error.js';
import type { AppEnv } from '../routes/openapi-helpers.js';
import type { Principal } from './principal.js';

export function requirePermission(principal: Pick<Principal, 'person'>, permission: Permission): void {
  if (!allows(principal.person.role, permission)) throw new ApiError('forbidden', { message: forbiddenMessage(permission) });
}

/** A route's middleware: refuse before the handler runs (and before the body is read). */
export function allow(permission: Permission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    requirePermission(c.get('principal'), permission);
    await next();
  });
}
