// The one table of modes. Everything else (the ranks, what calls get, the words operators and
// agents read, the default restore policy) derives from it. This file imports no code, only a
// type, so a browser bundle can carry it through `@estop/core/modes`.
import type { Outcome } from './decision.js';

/** What a mode is: how it ranks, what calls get under it, and what it means to an operator. */
export interface ModeSpec {
  /** Higher is more restrictive; ranks are 0, 1, 2, … in table order. */
  readonly rank: number;
  /** What a read call gets under the mode. */
  readonly reads: Outcome;
  /** What a write call gets under the mode. */
  readonly writes: Outcome;
  /** One line for an operator: what the mode does to calls. */
  readonly meaning: string;
  /** Whether lifting a rule of this mode waits for a second admin by default (`restore.second_approver`). */
  readonly governedLift: boolean;
}

/**
 * Every mode, from least to most restrictive. Adding a mode is one row here (and its colour in
 * the dashboard's styles.css).
 */
export const MODE_TABLE = {
  approval_gated: {
    rank: 0,
    reads: 'allow',
    writes: 'needs_approval',
    meaning: 'writes wait for an operator to approve',
    governedLift: false,
  },
  draft_only: {
    rank: 1,
    reads: 'allow',
    writes: 'draft',
    meaning: 'writes recorded as drafts, not executed',
    governedLift: false,
  },
  read_only: {
    rank: 2,
    reads: 'allow',
    writes: 'deny',
    meaning: 'writes refused, reads allowed',
    governedLift: false,
  },
  full_stop: {
    rank: 3,
    reads: 'deny',
    writes: 'deny',
    meaning: 'every call refused; runs stop',
    governedLift: true,
  },
} as const satisfies Record<string, ModeSpec>;

/** How much authority a rule takes away. */
export type Mode = keyof typeof MODE_TABLE;

/** Modes from least to most restrictive; the index of a mode is its rank. */
export const MODES = (Object.keys(MODE_TABLE) as Mode[]).sort(
  (a, b) => MODE_TABLE[a].rank - MODE_TABLE[b].rank,
) as readonly Mode[] as readonly [Mode, ...Mode[]];

/** Names accepted on input for a mode: the modes themselves plus the seed's `disable_writes`. */
export const MODE_ALIASES: Readonly<Record<string, Mode>> = { disable_writes: 'read_only' };

/** Rank of a mode: higher is more restrictive. */
export function modeRank(mode: Mode): number {
  return MODE_TABLE[mode].rank;
}

/** Resolves a mode name or alias, or returns undefined for an unknown name. */
export function parseMode(name: string): Mode | undefined {
  // Own keys only: `toString` or `constructor` must not resolve to an inherited function.
  if (Object.hasOwn(MODE_TABLE, name)) return name as Mode;
  return Object.hasOwn(MODE_ALIASES, name) ? MODE_ALIASES[name] : undefined;
}

/** The more restrictive of two modes. */
export function moreRestrictive(a: Mode, b: Mode): Mode {
  return modeRank(a) >= modeRank(b) ? a : b;
}
