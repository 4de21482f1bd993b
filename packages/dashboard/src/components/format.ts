import type { Actor, Mode, Scope } from '../api/types.js';

/** `tenant=acme tool=email.*`, or `global` for the empty scope (as the CLI writes it). */
export function describeScope(scope: Scope | undefined): string {
  if (scope === undefined) return '—';
  const parts = (['tenant', 'agent', 'run', 'tool'] as const)
    .filter((key) => scope[key] !== undefined)
    .map((key) => `${key}=${scope[key]}`);
  return parts.length === 0 ? 'global' : parts.join(' ');
}

/** The kind of a scope, for grouping: the narrowest dimension it names. */
export function scopeKind(scope: Scope): 'global' | 'tenant' | 'agent' | 'run' | 'tool' {
  if (scope.tool !== undefined) return 'tool';
  if (scope.run !== undefined) return 'run';
  if (scope.agent !== undefined) return 'agent';
  if (scope.tenant !== undefined) return 'tenant';
  return 'global';
}

/** `read_only` → `read only`. */
export function modeLabel(mode: Mode | string): string {
  return mode.replace(/_/g, ' ');
}

export function actorLabel(actor: Actor | undefined): string {
  if (actor === undefined) return '—';
  return actor.kind === 'human' ? actor.id : `${actor.id} (${actor.kind})`;
}

/** A short age such as `4s`, `12m`, `3h`, `2d`. */
export function age(fromMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - fromMs) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/**
 * How long ago something happened: `12m ago`, or `just now` within its first second. A time
 * ahead of the browser's clock (the server's clock runs ahead) is also `just now`: what has
 * happened is never shown as in the future.
 */
export function ago(iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  return nowMs - at < 1000 ? 'just now' : `${age(at, nowMs)} ago`;
}

/** How long until a deadline (`in 12m`), or `now` once it has passed by the browser's clock. */
export function until(iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  return at - nowMs < 1000 ? 'now' : `in ${age(nowMs, at)}`;
}

/**
 * A date as the logs and the CLI write it, the same for every reader whatever their zone:
 * `2026-12-07 04:51:03 UTC` (24-hour, to the second).
 */
export function timestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
