import { EstopError, roleAllows, type Actor, type Role, type Scope } from '@estop/core';

/** Who is making a request: the identity behind a valid token. */
export interface Principal {
  /** The token's id (`env-admin` for ESTOP_ADMIN_TOKEN): what enforcers and runs are registered by. */
  id: string;
  /** The person or service the token belongs to: the identity the two-person rules compare. */
  principalId: string;
  name: string;
  role: Role;
  tenant?: string | undefined;
  /** For agent tokens: the agent every gateway call is made as. */
  agent?: string | undefined;
  /** For agent tokens minted with `anyAgent`: calls may name their agent. */
  anyAgent?: boolean | undefined;
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

/**
 * Whether `scope` lies within the principal's tenant: always for an unbound token; for a
 * tenant's token, only its own tenant's scopes (not global ones, which it can see but not act on).
 */
export function isWithinTenant(principal: Principal, scope: Scope | undefined): boolean {
  return principal.tenant === undefined || scope?.tenant === principal.tenant;
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

/** The audit actor for a principal's change: its name, and which principal and token acted. */
export function actorOf(principal: Principal): Actor {
  return {
    id: principal.name,
    kind: principal.role === 'enforcer' ? 'agent' : 'human',
    principalId: principal.principalId,
    tokenId: principal.id,
  };
}

/** Whether two actors are one principal; actors recorded before principals compare by name. */
export function samePrincipal(left: Actor, right: Actor): boolean {
  if (left.principalId !== undefined && right.principalId !== undefined) return left.principalId === right.principalId;
  return left.id === right.id;
}

/** What `GET /v1/whoami` says about the caller. */
export function describePrincipal(principal: Principal): Record<string, unknown> {
  return {
    id: principal.id,
    tokenId: principal.id,
    principalId: principal.principalId,
    name: principal.name,
    role: principal.role,
    tenant: principal.tenant,
    agent: principal.agent,
    anyAgent: principal.anyAgent,
  };
}
