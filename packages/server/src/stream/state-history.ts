import type { ChangeEvent, RuleStore, Scope } from '@estop/core';

/** The committed changes a stream can resume from: what the store keeps of past versions. */
export interface StateHistory {
  /** The change events after `version`, in version order, at most `limit` of them. */
  changesSince(version: number, limit: number): Promise<ChangeEvent[]>;
  /** The scope of a rule, lifted or not; undefined when the store has no such rule. */
  scopeOf(ruleId: string): Promise<Scope | undefined>;
}

/** The history kept by the store's rules: every committed change event and every rule ever created. */
export function createStateHistory(rules: Pick<RuleStore, 'changesSince' | 'get'>): StateHistory {
  return {
    changesSince: (version, limit) => rules.changesSince(version, limit),
    scopeOf: async (ruleId) => (await rules.get(ruleId))?.rule.scope,
  };
}
