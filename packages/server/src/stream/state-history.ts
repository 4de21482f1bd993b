import type { ChangeEvent, RuleStore, Scope } from '@estop/core';

/** The committed changes a stream can resume from: what the store keeps of past versions. */
export interface StateHistory {
  /** The change events after `version`, in version order, at most `limit` of them. */
  changesSince(version: number, limit: number): Promise<ChangeEvent[]>;
  /** The scope of a rule, lifted or not; undefined when the store has no such rule. */
  scopeOf(ruleId: string): Promise<Scope | undefined>;
}

// Full answers kept: the few version ranges that enforcers resume from at one moment.
const KEPT_ANSWERS = 16;

/**
 * The history kept by the store's rules: every committed change event and every rule ever created.
 * Enforcers that lost their replica all resume on another one from the version they held, at
 * once: asked one store read each, a thousand of them queue in the replica's pool behind each
 * other (and delay its own reads of the store). So a read asked again while it is under way is
 * shared, and a full answer (`limit` events) is kept, as committed versions never change; a
 * short answer (the store may not have what a later read sees) is not.
 */
export function createStateHistory(rules: Pick<RuleStore, 'changesSince' | 'get'>): StateHistory {
  const answers = new Map<string, Promise<ChangeEvent[]>>();
  return {
    changesSince(version, limit) {
      const key = `${version}+${limit}`;
      const known = answers.get(key);
      if (known !== undefined) return known;
      const read = rules.changesSince(version, limit);
      answers.set(key, read);
      const forget = () => {
        if (answers.get(key) === read) answers.delete(key);
      };
      read.then((events) => {
        if (events.length < limit) forget();
        else {
          for (const old of answers.keys()) {
            if (answers.size <= KEPT_ANSWERS) break;
            if (old !== key) answers.delete(old);
          }
        }
      }, forget);
      return read;
    },
    scopeOf: async (ruleId) => (await rules.get(ruleId))?.rule.scope,
  };
}
