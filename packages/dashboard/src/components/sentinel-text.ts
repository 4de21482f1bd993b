import type { Rule, SentinelView } from '../api/types.js';

/** A standing trip's window against its threshold, as `GET /v1/sentinels` says it. */
export type TripCause = NonNullable<SentinelView['trips']>[number]['cause'];

/** A duration in the units a config file uses: `90s`, `10m`, `2h`. */
export function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** An amount as the threshold reads it: dollars with two decimals for spend, else a count. */
export function amountText(sentinel: Pick<SentinelView, 'signal'>, amount: number): string {
  return sentinel.signal === 'spend' ? `$${amount.toFixed(2)}` : String(amount);
}

/** `peak 4 / 5 in 1m`: the highest its windows reached against its threshold (undefined from an older control plane). */
export function peakText(sentinel: SentinelView): string | undefined {
  if (sentinel.observed === undefined) return undefined;
  const peak = amountText(sentinel, sentinel.observed.peak);
  return `peak ${peak} / ${amountText(sentinel, sentinel.threshold)} in ${windowText(sentinel.windowMs)}`;
}

/** `2 trips`, or for a sentinel in shadow `3 would-trips`: what it did, or would have done. */
export function crossingsText(sentinel: SentinelView): string | undefined {
  const observed = sentinel.observed;
  if (observed === undefined) return undefined;
  if (sentinel.enforce === false)
    return `${observed.wouldTrips} ${observed.wouldTrips === 1 ? 'would-trip' : 'would-trips'}`;
  return `${observed.trips} ${observed.trips === 1 ? 'trip' : 'trips'}`;
}

/** `4 in 1m, threshold 3`: what a trip's window holds now. */
export function causeWindowText(
  cause: Pick<TripCause, 'count' | 'threshold' | 'windowMs'>,
  signal?: SentinelView['signal'],
): string {
  const sentinel = { signal: signal ?? 'writes' };
  return `${amountText(sentinel, cause.count)} in ${windowText(cause.windowMs)}, threshold ${amountText(sentinel, cause.threshold)}`;
}

/** What the restore dialog says before a lift that the control plane will refuse without force. */
export function liftGuardText(
  cause: Pick<TripCause, 'sentinel' | 'count' | 'threshold' | 'windowMs'>,
  signal?: SentinelView['signal'],
): string {
  return `sentinel ${cause.sentinel}'s window still holds its threshold (${causeWindowText(cause, signal)}): lifting needs force and a reason`;
}

/** The name of the sentinel that made `rule` (its actor is `sentinel:<name>`), or undefined. */
export function trippedBy(rule: Pick<Rule, 'actor'>): string | undefined {
  return rule.actor.kind === 'system' && rule.actor.id.startsWith('sentinel:') ? rule.actor.id.slice(9) : undefined;
}

/** The standing trip of the rule `ruleId` in the sentinel list, with its sentinel, or undefined. */
export function tripOf(
  ruleId: string,
  sentinels: readonly SentinelView[],
): { cause: TripCause; sentinel: SentinelView } | undefined {
  for (const sentinel of sentinels) {
    const trip = sentinel.trips?.find((candidate) => candidate.ruleId === ruleId);
    if (trip !== undefined) return { cause: trip.cause, sentinel };
  }
  return undefined;
}

/** Where `rule`'s trip stands, from the sentinel list's standing trips: undefined for a rule no sentinel made, or one not listed. */
export function causeOf(
  rule: Pick<Rule, 'id' | 'actor'>,
  sentinels: readonly SentinelView[],
): { cause: TripCause; sentinel: SentinelView } | undefined {
  const name = trippedBy(rule);
  const listed = name === undefined ? undefined : tripOf(rule.id, sentinels);
  return listed?.sentinel.name === name ? listed : undefined;
}
