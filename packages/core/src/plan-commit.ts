import { EstopError } from './errors.js';
import type { CommitRequest } from './ports/store.js';
import type { Change } from './state.js';

/** What a store found, inside its transaction, about the ids a commit names. */
export interface CommitLookup {
  /** Ids among the created rules that the store already holds, active or lifted. */
  existing: ReadonlySet<string>;
  /** Ids among the lifted rules that are active in the store. */
  active: ReadonlySet<string>;
}

/**
 * Checks a commit against what the store holds and lists its changes: creations first, then
 * lifts, in request order. Every store calls this, so they all accept and refuse the same commits.
 * Throws `conflict` for an id that exists (or is created twice) and `rule_not_found` for a lift
 * of a rule that is not active (or is lifted twice); a rule created in the same commit counts as
 * active.
 */
export function planCommit(request: CommitRequest, lookup: CommitLookup): Change[] {
  const changes: Change[] = [];
  const created = new Set<string>();
  for (const rule of request.create ?? []) {
    if (lookup.existing.has(rule.id) || created.has(rule.id)) {
      throw new EstopError({
        code: 'conflict',
        message: `rule "${rule.id}" already exists`,
        details: { ruleId: rule.id },
      });
    }
    created.add(rule.id);
    changes.push({ type: 'rule-created', rule });
  }
  const lifted = new Set<string>();
  for (const lift of request.lift ?? []) {
    const active = lookup.active.has(lift.ruleId) || created.has(lift.ruleId);
    if (!active || lifted.has(lift.ruleId)) {
      throw new EstopError({
        code: 'rule_not_found',
        message: `no active rule "${lift.ruleId}"`,
        details: { ruleId: lift.ruleId },
      });
    }
    lifted.add(lift.ruleId);
    changes.push({ type: 'rule-lifted', lift });
  }
  return changes;
}
