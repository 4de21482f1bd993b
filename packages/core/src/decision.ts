import { MODE_TABLE, type Mode } from './modes.js';

/** What an enforcer does with a call. */
export type Outcome = 'allow' | 'deny' | 'draft' | 'needs_approval';

/** Where a restrictive decision came from. */
export type DecisionSource = 'rule' | 'stale' | 'break_glass' | 'invalid_call';

/**
 * The result of deciding a call. Decisions are shared, frozen objects: compare them,
 * read them, never mutate them.
 */
export interface Decision {
  readonly outcome: Outcome;
  readonly mode?: Mode | undefined;
  readonly ruleId?: string | undefined;
  readonly reason?: string | undefined;
  readonly source?: DecisionSource | undefined;
}

/** The one decision that lets a call through. */
export const ALLOW: Decision = Object.freeze({ outcome: 'allow' });

/** The outcome a mode gives a write call, from the mode table. */
export function writeOutcome(mode: Mode): Outcome {
  return MODE_TABLE[mode].writes;
}
