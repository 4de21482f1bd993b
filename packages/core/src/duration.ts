import { EstopError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration `parseDuration` accepts unless told otherwise: 366 days (a rule's longest expiry). */
export const MAX_DURATION_MS = 366 * 86_400_000;

function invalid(message: string): EstopError {
  return new EstopError({ code: 'invalid_request', message });
}

/**
 * Parses a duration such as `500ms`, `2s`, `30m`, `1h`, `7d` into milliseconds. Every duration
 * but zero names its unit: a bare `30` could mean 30 ms or 30 minutes, and taking it as
 * milliseconds once made a 30-minute stop end at once. Longer than `maxMs` (366 days unless
 * given) is refused.
 *
 * @throws EstopError `invalid_request`, with a message that says what to write instead.
 * @example
 * parseDuration('30m'); // 1_800_000
 * parseDuration('30'); // throws: 30 what? write 30s, 30m or 30h
 */
export function parseDuration(text: string, maxMs: number = MAX_DURATION_MS): number {
  const trimmed = text.trim();
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(trimmed);
  if (match === null) throw invalid(`"${text}" is not a duration; use e.g. 500ms, 2s, 30m, 1h`);
  const unit = match[2];
  // Zero is zero in every unit (`--wait 0`); any other bare number is a guess at its unit.
  if (unit === undefined && Number(match[1]) === 0) return 0;
  if (unit === undefined) throw invalid(`${trimmed} what? write ${trimmed}s, ${trimmed}m or ${trimmed}h`);
  const ms = Math.round(Number(match[1]) * (UNITS[unit] as number));
  if (!(ms <= maxMs)) throw invalid(`"${trimmed}" is too long; at most ${durationText(maxMs)}`);
  return ms;
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
