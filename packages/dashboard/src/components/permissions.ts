import { roleAllows } from '@estop/client';
import type { Principal, Scope } from '../api/types.js';

// The ranks are core's, as the control plane checks them: the dashboard offers what it allows.
function atLeast(principal: Principal, role: 'viewer' | 'operator' | 'admin'): boolean {
  return roleAllows(principal.role, role);
}

/** Whether the token's tenant binding lets it act on `scope` (the API's `requireScopeWithinTenant`). */
export function withinTenant(principal: Principal, scope: Scope): boolean {
  return principal.tenant === undefined || scope.tenant === principal.tenant;
}

/** May create rules (stop), kill runs, decide approvals: operator or admin. */
export function canStop(principal: Principal): boolean {
  return atLeast(principal, 'operator');
}

/** May lift a rule of this scope: an admin, within its tenant when bound. */
export function canRestore(principal: Principal, scope: Scope): boolean {
  return atLeast(principal, 'admin') && withinTenant(principal, scope);
}

/** May list and confirm restore requests. */
export function isAdmin(principal: Principal): boolean {
  return atLeast(principal, 'admin');
}

/** May read the operator views at all (enforcer and agent tokens may not). */
export function canView(principal: Principal): boolean {
  return atLeast(principal, 'viewer');
}
