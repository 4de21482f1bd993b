/** Modes from least to most restrictive; the index of a mode is its rank. */
export const MODES = ['approval_gated', 'draft_only', 'read_only', 'full_stop'] as const;

/** How much authority a rule takes away. */
export type Mode = (typeof MODES)[number];

/** Names accepted on input for a mode: the modes themselves plus the seed's `disable_writes`. */
export const MODE_ALIASES: Readonly<Record<string, Mode>> = { disable_writes: 'read_only' };

/** Rank of a mode: higher is more restrictive. */
export function modeRank(mode: Mode): number {
  return MODES.indexOf(mode);
}

/** Resolves a mode name or alias, or returns undefined for an unknown name. */
export function parseMode(name: string): Mode | undefined {
  if ((MODES as readonly string[]).includes(name)) return name as Mode;
  // Own keys only: `toString` or `constructor` must not resolve to an inherited function.
  return Object.hasOwn(MODE_ALIASES, name) ? MODE_ALIASES[name] : undefined;
}

/** The more restrictive of two modes. */
export function moreRestrictive(a: Mode, b: Mode): Mode {
  return modeRank(a) >= modeRank(b) ? a : b;
}
