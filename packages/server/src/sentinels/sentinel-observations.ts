import { MICRO_USD_PER_USD, type SentinelSpec } from '@estop/core';

/** What one sentinel has seen since this control plane started, for operators tuning it. */
export interface SentinelObserved {
  /** The highest count its windows reached, in the threshold's units; capped near the threshold. */
  peak: number;
  /** When that peak was reached (ISO-8601); absent before anything was counted. */
  peakAt?: string | undefined;
  /** Rules it made (enforcing). */
  trips: number;
  /** Times it would have tripped (in shadow). */
  wouldTrips: number;
  /** The last would-trip (ISO-8601). */
  lastWouldTripAt?: string | undefined;
}

/**
 * Per-sentinel peaks and crossings as this process saw them: in memory, from zero at each start,
 * and each replica its own (counts in Redis are shared; these tallies are not).
 */
export class SentinelObservations {
  readonly #observed = new Map<string, SentinelObserved>();
  constructor(specs: readonly SentinelSpec[]) {
    for (const spec of specs) this.#observed.set(spec.name, { peak: 0, trips: 0, wouldTrips: 0 });
  }

  /** A window of `spec` reached `sum` (in the units of `sentinelLimit`) at `nowMs`. */
  counted(spec: SentinelSpec, sum: number, nowMs: number): void {
    const observed = this.#observed.get(spec.name);
    if (observed === undefined) return;
    const amount = spec.signal === 'spend' ? sum / MICRO_USD_PER_USD : sum;
    if (amount > observed.peak) {
      observed.peak = amount;
      observed.peakAt = new Date(nowMs).toISOString();
    }
  }

  tripped(name: string): void {
    const observed = this.#observed.get(name);
    if (observed !== undefined) observed.trips += 1;
  }

  wouldTrip(name: string, nowMs: number): void {
    const observed = this.#observed.get(name);
    if (observed === undefined) return;
    observed.wouldTrips += 1;
    observed.lastWouldTripAt = new Date(nowMs).toISOString();
  }

  /** A copy of what `name` has seen; zeros for a sentinel not configured here. */
  of(name: string): SentinelObserved {
    const observed = this.#observed.get(name) ?? { peak: 0, trips: 0, wouldTrips: 0 };
    return { ...observed };
  }
}
