import type { Enforcement, RunsEnforcement } from '@estop/core';

/** True when every connected enforcer has acknowledged the version (or none is connected). */
export function allAcknowledged(enforcement: Enforcement): boolean {
  return enforcement.total === 0 || enforcement.acknowledged >= enforcement.total;
}

/** True when every connected enforcer has acknowledged the version and none is named behind. */
export function fullyEnforced(enforcement: Enforcement): boolean {
  return enforcement.acknowledged >= enforcement.total && enforcement.pending.length === 0;
}

/**
 * How far a stop has reached the runs it affects, in order: `requested` (some run has not
 * stopped yet), `enforced` (every run refuses new calls), `drained` (nothing in flight either),
 * `terminated` (every run is over). Never `terminated` while anything runs.
 */
export type RunStopStage = 'requested' | 'enforced' | 'drained' | 'terminated';

/** The stage a stop has reached, from the counts. */
export function runStopStage(runs: RunsEnforcement): RunStopStage {
  if (runs.stopped < runs.affected) return 'requested';
  if (runs.inFlight > 0) return 'enforced';
  if (runs.terminated < runs.affected) return 'drained';
  return 'terminated';
}

/** The longest wait the control plane holds one enforcement request for. */
export const MAX_SERVER_WAIT_MS = 60_000;

/** What waitForEnforcement needs of a client: one long-polled `GET /v1/versions/:v/enforcement`. */
export interface EnforcementSource {
  enforcement(version: number, waitMs: number, ruleId?: string): Promise<Enforcement>;
}

/**
 * Asks whether every connected enforcer has applied `version`, waiting up to `waitMs` in total;
 * waits longer than one request may hold are split over several requests.
 *
 * @example
 * const enforcement = await waitForEnforcement(client, version, 5000);
 * if (!fullyEnforced(enforcement)) console.log(enforcement.pending);
 */
export async function waitForEnforcement(
  client: EnforcementSource,
  version: number,
  waitMs: number,
  maxPerRequestMs = MAX_SERVER_WAIT_MS,
  ruleId?: string,
): Promise<Enforcement> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const remaining = Math.max(0, deadline - Date.now());
    const enforcement = await client.enforcement(version, Math.min(remaining, maxPerRequestMs), ruleId);
    if (allAcknowledged(enforcement) || remaining <= maxPerRequestMs) return enforcement;
  }
}
