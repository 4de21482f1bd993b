/** The budgets a run can exceed, as they appear in a stop reason. */
export const BUDGET_NAMES = ['max_steps', 'max_tool_calls', 'max_seconds', 'max_usd'] as const;

/** One budget, named as in `budget_exceeded:<name>`. */
export type BudgetName = (typeof BUDGET_NAMES)[number];

/**
 * Why a run stopped: a rule killed it, it ran past its maximum duration, it exceeded a budget,
 * or the agent ended it itself.
 */
export type StopReason = `killed:${string}` | 'timeout' | `budget_exceeded:${BudgetName}` | 'ended';

/** The stop reason for a run stopped by the rule `ruleId`. */
export function killedBy(ruleId: string): StopReason {
  return `killed:${ruleId}`;
}

/** The rule a `killed:<ruleId>` stop reason names, or undefined for any other reason. */
export function killingRule(reason: string | undefined): string | undefined {
  return reason?.startsWith('killed:') === true && reason.length > 'killed:'.length
    ? reason.slice('killed:'.length)
    : undefined;
}

/** The stop reason for a run that exceeded `budget`. */
export function budgetExceeded(budget: BudgetName): StopReason {
  return `budget_exceeded:${budget}`;
}

/** True when `text` is a well-formed stop reason. */
export function isStopReason(text: string): text is StopReason {
  if (text === 'timeout' || text === 'ended') return true;
  if (text.startsWith('killed:')) return text.length > 'killed:'.length;
  if (text.startsWith('budget_exceeded:')) {
    return (BUDGET_NAMES as readonly string[]).includes(text.slice('budget_exceeded:'.length));
  }
  return false;
}
