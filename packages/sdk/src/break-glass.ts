import { EstopError, modeRank, parseMode, type Mode } from '@estop/core';

/** A local override of the control plane: the mode this host is held to, and why. */
export interface BreakGlassOverride {
  readonly mode: Mode;
  readonly reason: string;
}

/**
 * Reads a break-glass value such as `full_stop` or `read_only`, from `origin` (the
 * environment variable or file it came from, named in the reason). An empty value means no
 * override. An unknown value is a `full_stop`, reported through `onError`: whoever set it
 * meant to stop something, and failing closed is the point of break-glass.
 */
export function parseBreakGlass(
  value: string | undefined,
  origin: string,
  onError: (error: EstopError) => void,
): BreakGlassOverride | undefined {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '') return undefined;
  const mode = parseMode(text);
  if (mode !== undefined) return { mode, reason: `break-glass override from ${origin}: ${mode}` };
  onError(
    new EstopError({
      code: 'config_invalid',
      message: `break-glass override from ${origin} names no mode ("${text}"); failing closed to full_stop`,
      details: { origin, value: text },
    }),
  );
  return { mode: 'full_stop', reason: `break-glass override from ${origin} is not a mode ("${text}"): full_stop` };
}

/** The more restrictive of two overrides; the first wins a tie. */
export function stricterOverride(
  first: BreakGlassOverride | undefined,
  second: BreakGlassOverride | undefined,
): BreakGlassOverride | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return modeRank(second.mode) > modeRank(first.mode) ? second : first;
}
