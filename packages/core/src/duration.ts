import { EstopError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `500ms`, `2s`, `30m`, `1h`, `7d` (or a bare number of milliseconds)
 * into milliseconds.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) {
    throw new EstopError({
      code: 'invalid_request',
      message: `"${text}" is not a duration; use e.g. 500ms, 2s, 30m, 1h`,
    });
  }
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number));
}

/**
 * A duration in the largest unit that states it exactly, as a config file would write it:
 * `90s`, `10m`, `2h`, `1d`, `750ms`. `parseDuration` reads it back to the same milliseconds.
 */
export function durationText(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
