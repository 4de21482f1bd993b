import { SYSTEM_ACTOR, describeScope, isScheduled, type Clock, type Rule, type Store } from '@estop/core';
import type { ChangeHub } from '../stream/change-hub.js';

/** A scheduled rule seen to have started. */
export interface StartedRule {
  rule: Rule;
  /** True when this process wrote its `rule-started` entry. */
  recorded: boolean;
}

/** Audits scheduled rules as they start; enforcers already hold them and start them by their own clock. */
export interface RuleStarts {
  /**
   * Records `rule-started` for every active scheduled rule whose start has passed and that this
   * process has not seen started yet, including starts that passed while no replica was running.
   * Answers the rules this call saw start, each `recorded` when this call wrote its audit entry
   * (another replica, or this one before a restart, may have written the others').
   */
  check(): Promise<StartedRule[]>;
}

/**
 * Watches the active rules for scheduled starts. The store records each start once, however many
 * replicas look; each replica remembers the starts it has seen so that it asks the store once per rule.
 */
export function createRuleStarts(deps: { store: Pick<Store, 'rules'>; hub: ChangeHub; clock: Clock }): RuleStarts {
  const seen = new Set<string>();
  return {
    async check() {
      const nowMs = deps.clock.now();
      const rules = deps.hub.snapshot().rules;
      // Forget rules lifted since, so that the set stays as small as the active rules.
      if (seen.size > 0) {
        const active = new Set(rules.map((rule) => rule.id));
        for (const id of seen) if (!active.has(id)) seen.delete(id);
      }
      const started: StartedRule[] = [];
      for (const rule of rules) {
        if (rule.startsAt === undefined || seen.has(rule.id) || isScheduled(rule, nowMs)) continue;
        const at = new Date(nowMs).toISOString();
        const recorded = await deps.store.rules.recordStart(rule.id, {
          at,
          action: 'rule-started',
          actor: SYSTEM_ACTOR,
          reason: `scheduled to start at ${rule.startsAt}`,
          scope: rule.scope,
          ruleId: rule.id,
          data: { mode: rule.mode, scope: describeScope(rule.scope), startsAt: rule.startsAt },
        });
        seen.add(rule.id);
        started.push({ rule, recorded });
      }
      return started;
    },
  };
}
