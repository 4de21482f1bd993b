import type { Rule } from '@estop/core';
import type { Guard } from '@estop/sdk';

/** The guard's active rules by id, to explain a decision (its scope) without asking anyone. */
export interface RuleBook {
  find(id: string): Rule | undefined;
  close(): void;
}

/**
 * Reads the guard's current rules, so that rules of the snapshot applied before the book was made
 * are found as well as later ones; the index by id is built only when a decision needs explaining,
 * once per applied version.
 */
export function createRuleBook(guard: Pick<Guard, 'rules'>): RuleBook {
  let indexed: readonly Rule[] | undefined;
  let byId = new Map<string, Rule>();
  return {
    find(id) {
      const rules = guard.rules;
      if (rules !== indexed) [indexed, byId] = [rules, new Map(rules.map((rule) => [rule.id, rule]))];
      return byId.get(id);
    },
    // Nothing to release: the book follows the guard by reading it, not by subscribing.
    close() {},
  };
}
