import { EstopError, roleAllows, type Actor, type Role, type Scope } from '@estop/core';

/** Who is making a request: the identity behind a valid token. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  tenant?: string | undefined;
}

/** Throws `forbidden` unless the principal's role covers `required`. */
export function requireRole(principal: Principal, required: Role): void {
  if (!roleAllows(principal.role, required)) {
    throw new EstopError({
      code: 'forbidden',
      message: `this needs the ${required} role; the token "${principal.name}" is ${principal.role}`,
    });
  }
}

/** Whether a principal may see something scoped to `scope`: tenant tokens see their tenant's and global rules. */
export function canSee(principal: Principal, scope: Scope | undefined): boolean {
  return principal.tenant === undefined || scope?.tenant === undefined || scope.tenant === principal.tenant;
}

/** Throws `forbidden` unless the principal may change things within `scope`. */
export function requireScopeWithinTenant(principal: Principal, scope: Scope): void {
  if (principal.tenant !== undefined && scope.tenant !== principal.tenant) {
    throw new EstopError({
      code: 'forbidden',
      message: `the token "${principal.name}" is bound to tenant ${principal.tenant} and can act only within it`,
    });
  }
}

/** The audit actor for a principal's change. */
export function actorOf(principal: Principal): Actor {
  return { id: principal.name, kind: principal.role === 'enforcer' ? 'agent' : 'human' };
}
