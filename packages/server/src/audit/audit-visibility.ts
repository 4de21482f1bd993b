import type { AuditEntry } from '@estop/core';
import type { Principal } from '../tokens/principal.js';

/**
 * Whether a principal may read an audit entry. A token bound to no tenant reads every entry; a
 * tenant's token reads its tenant's entries and, of those that name no tenant, only the ones
 * about a rule (global rules stop its agents too). It never reads entries that name no tenant
 * and no rule, such as the refused requests of tokens bound to no tenant, whose paths may name
 * another tenant's rules, runs or requests.
 */
export function canReadAuditEntry(principal: Principal, entry: AuditEntry): boolean {
  if (principal.tenant === undefined) return true;
  const tenant = entry.scope?.tenant;
  if (tenant !== undefined) return tenant === principal.tenant;
  return entry.ruleId !== undefined;
}
