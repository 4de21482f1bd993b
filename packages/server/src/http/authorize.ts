import type { Role } from '@estop/core';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { requireRole, type Principal } from '../tokens/principal.js';

/**
 * The request's principal, once it is known to hold `role`: how a route authorizes, once, before
 * it reads the body (so that a refused caller learns nothing from the body's validation).
 *
 * @example
 * const principal = authorize(context, 'operator');
 */
export function authorize(context: Context<AppEnv>, role: Role): Principal {
  const principal = context.get('principal');
  requireRole(principal, role);
  return principal;
}
