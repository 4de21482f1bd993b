import type { Enforcement } from '@estop/core';
import { fullyEnforced } from '@estop/client';
import type { CommandIo } from './command.js';

/** Writes `value` as pretty JSON followed by a newline: the `--json` output of every command. */
export function writeJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout, each followed by a newline. */
export function writeLines(io: CommandIo, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Writes a command's answer: as JSON when `json` (the `--json` flag) is set, otherwise as the
 * `lines` a person reads, which are only worked out then.
 *
 * @example
 * writeAnswer(io, values.json, result, () => formatRuns(result.runs, Date.now()));
 */
export function writeAnswer(io: CommandIo, json: boolean, answer: unknown, lines: () => readonly string[]): void {
  if (json) writeJson(io, answer);
  else writeLines(io, lines());
}

/**
 * Lays out rows under headers in columns separated by two spaces; the last column is not padded.
 * Returns the lines (header first), each indented by `indent`.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    indent +
    headers
      .map((_, column) => {
        const cell = cells[column] ?? '';
        return column === headers.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** A compact duration for people: `850ms`, `12s`, `5m`, `3h 20m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < 1000) return `${value}ms`;
  const seconds = Math.floor(value / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** How long ago an ISO time was, e.g. `5m`; `?` when the time does not parse. */
export function formatAge(iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '?' : formatDuration(nowMs - at);
}

/** When a rule expires, relative to now: `never`, `in 25m`, or `expired` once past. */
export function formatExpiry(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '?';
  return at <= nowMs ? 'expired' : `in ${formatDuration(at - nowMs)}`;
}

/** Lists enforcers that have not acknowledged, e.g. `worker-2 (at version 6), gw-1 (at version 5)`. */
export function formatPending(pending: Enforcement['pending']): string {
  return pending.map((enforcer) => `${enforcer.name} (at version ${enforcer.version})`).join(', ');
}

/**
 * The honest one-line account of how far a version has spread: `enforced on 3/3 enforcers in 14 ms`,
 * `enforced on 2/3 enforcers; not yet acknowledged: worker-2 (at version 6)`, or `no enforcers connected`.
 */
export function describeEnforcement(enforcement: Enforcement): string {
  const { acknowledged, total, ms, pending } = enforcement;
  if (total === 0) return 'no enforcers connected';
  const count = `enforced on ${acknowledged}/${total} enforcer${total === 1 ? '' : 's'}`;
  if (fullyEnforced(enforcement)) return ms === undefined ? count : `${count} in ${Math.round(ms)} ms`;
  const stragglers = pending.length > 0 ? formatPending(pending) : `${total - acknowledged} unnamed`;
  return `${count}; not yet acknowledged: ${stragglers}`;
}
