/** Whether connected enforcers have applied a version, as `GET /v1/versions/:v/enforcement` reports it. */
export interface Enforcement {
  version: number;
  acknowledged: number;
  total: number;
  /** Commit to last acknowledgement, once every connected enforcer has acknowledged. */
  ms?: number | undefined;
  pending: { id: string; name: string; version: number }[];
  /**
   * For a version that created a rule stopping runs: the runs it affects that this replica
   * knows, how many of them have stopped, and how many calls are still running in them.
   */
  runs?: RunsEnforcement | undefined;
}

/** How far a stop has reached the runs it affects. */
export interface RunsEnforcement {
  /** Runs matching the rule that were not over before it. */
  affected: number;
  /** Of those, runs whose enforcer has stopped them (or that have ended since). */
  stopped: number;
  /** Of those, runs that are over with nothing running. */
  terminated: number;
  /** Calls still running in the affected runs. */
  inFlight: number;
}
