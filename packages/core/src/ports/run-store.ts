import type { RunRecord } from '../run-schemas.js';

/** A run as the replica it is registered with last wrote it, for the other replicas to list and kill. */
export interface SharedRun {
  record: RunRecord;
  /** How often the run's guard reports: a run not heard from for three of these is lost. */
  heartbeatMs: number;
  /** When the replica last heard from the run (ISO-8601). */
  heardAt: string;
}

/**
 * Runs shared by the replicas on one store: each writes the runs registered with it, so that
 * every replica lists them and kills them. Optional in a `Store`: a single process needs none.
 */
export interface RunStore {
  /** Creates or replaces runs' records (by run id), in one transaction. */
  save(runs: readonly SharedRun[]): Promise<void>;
  /** The runs heard from since `heardSince` (ISO-8601), any order. */
  list(query: { heardSince: string }): Promise<SharedRun[]>;
  /** Deletes, in one statement, the runs last heard from before `heardBefore`; answers how many. */
  removeHeardBefore(heardBefore: string): Promise<number>;
}
