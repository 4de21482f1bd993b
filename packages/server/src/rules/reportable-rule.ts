import { EstopError, type Rule, type Store } from '@estop/core';
import type { ChangeHub } from '../stream/change-hub.js';
import { canSee, type Principal } from '../tokens/principal.js';

/** Where a rule is looked for: the current state first, then the store (for lifted rules). */
export interface RuleLookup {
  hub: ChangeHub;
  store: Pick<Store, 'rules'>;
}

/** The rule `id`, active or not, or undefined when there is none. */
export async function findRule(deps: RuleLookup, id: string): Promise<Rule | undefined> {
  return deps.hub.snapshot().rules.find((active) => active.id === id) ?? (await deps.store.rules.get(id))?.rule;
}

/**
 * The rule an enforcer's report (blocked calls, a draft, an approval request) names, checked
 * against the reporting token: it must be a rule the token can see (its tenant's or a global
 * one) and, when the reported calls are a tenant's, a rule that can cover that tenant's calls.
 * Otherwise `forbidden`, the same for a rule of another tenant as for no rule at all, so that a
 * report neither lands in another tenant's audit log nor tells whether another tenant's rule exists.
 */
export async function requireReportableRule(
  deps: RuleLookup,
  principal: Principal,
  ruleId: string,
  tenant: string | undefined,
): Promise<Rule> {
  const rule = await findRule(deps, ruleId);
  const ruleTenant = rule?.scope.tenant;
  if (
    rule === undefined ||
    !canSee(principal, rule.scope) ||
    (ruleTenant !== undefined && tenant !== undefined && ruleTenant !== tenant)
  ) {
    throw new EstopError({
      code: 'forbidden',
      message: `the token "${principal.name}" cannot report calls of ${tenant === undefined ? 'no tenant' : `tenant ${tenant}`} against rule ${ruleId}`,
    });
  }
  return rule;
}
