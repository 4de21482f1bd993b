import type { Enforcement, RunsEnforcement } from '@estop/core';
import { runStopStage, waitForEnforcement, type EnforcementSource } from '@estop/client';

export type { RunStopStage } from '@estop/client';
export { runStopStage } from '@estop/client';

/** One line about the runs a stop affects, e.g. `runs: 2 affected, 2 stopped, 1 call in flight: enforced`. */
export function describeRunStop(runs: RunsEnforcement): string {
  if (runs.affected === 0) return 'runs: none registered here is affected';
  const calls = `${runs.inFlight} call${runs.inFlight === 1 ? '' : 's'} in flight`;
  return `runs: ${runs.affected} affected, ${runs.stopped} stopped, ${calls}, ${runs.terminated} terminated: ${runStopStage(runs)}`;
}

/**
 * Waits up to `waitMs` for every connected enforcer to apply `version` and, when the rule stops
 * runs, for those runs to terminate; returns the last answer, however far it got.
 */
export async function waitForStop(
  client: EnforcementSource,
  version: number,
  ruleId: string,
  waitMs: number,
  pollMs = 50,
): Promise<Enforcement> {
  const deadline = Date.now() + waitMs;
  let enforcement = await waitForEnforcement(client, version, waitMs, undefined, ruleId);
  while (
    enforcement.runs !== undefined &&
    runStopStage(enforcement.runs) !== 'terminated' &&
    Date.now() + pollMs < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    enforcement = await client.enforcement(version, 0, ruleId);
  }
  return enforcement;
}
