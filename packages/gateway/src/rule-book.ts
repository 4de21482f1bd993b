import type { Rule } from '@estop/core';
import type { Guard } from '@estop/sdk';

/** The guard's active rules by id, to explain a decision (its scope) without asking anyone. */
export interface RuleBook {
  find(id: string): Rule | undefined;
  close(): void;
}

/** Follows the guard's changes; the index by id is built only when a decision needs explaining. */
export function createRuleBook(guard: Guard): RuleBook {
  let rules: readonly Rule[] = [];
  let byId: Map<string, Rule> | undefined;
  const unsubscribe = guard.onChange((change) => {
    rules = change.rules;
    byId = undefined;
  });
  return {
    find(id) {
      byId ??= new Map(rules.map((rule) => [rule.id, rule]));
      return byId.get(id);
    },
    close: unsubscribe,
  };
}
