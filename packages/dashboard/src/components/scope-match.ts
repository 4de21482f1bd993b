import type { RunRecord, Scope } from '../api/types.js';

/** Whether a rule of `scope` covers the run (a tool in the scope narrows the calls, not the run). */
export function scopeCoversRun(scope: Scope, run: RunRecord): boolean {
  return (
    (scope.tenant === undefined || scope.tenant === run.tenant) &&
    (scope.agent === undefined || scope.agent === run.agent) &&
    (scope.run === undefined || scope.run === run.id)
  );
}

/** Runs that are not over: running, stopped with calls still in flight, or lost from sight. */
export function isLive(run: RunRecord): boolean {
  return run.status !== 'ended';
}
