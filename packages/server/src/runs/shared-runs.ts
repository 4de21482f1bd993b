import type { Clock, RunRecord, RunStore, SharedRun } from '@estop/core';
import { ENDED_RETENTION_MS, LOST_RETENTION_MS, MISSED_HEARTBEATS, type RunRegistry } from './run-registry.js';

// Runs heard from longer ago than LOST_RETENTION_MS are deleted from the store every this many flushes.
const SWEEP_EVERY_FLUSHES = 30;

/**
 * Shares the runs registered with this replica with the other replicas on the store, and reads
 * theirs: each replica writes the runs that changed (registered, heard from, ended) at every
 * flush, and lists the others' as they last wrote them, a run not heard from for three
 * heartbeats shown as lost. Without a run store (one process), only this replica's runs exist.
 */
export class SharedRuns {
  #flushing: Promise<void> | undefined;
  #flushes = 0;

  constructor(private readonly deps: { store: RunStore | undefined; registry: RunRegistry; clock: Clock }) {}

  /** Writes the runs that changed since the last flush; those refused are tried again at the next. */
  flush(): Promise<void> {
    const { store, registry, clock } = this.deps;
    if (store === undefined) return Promise.resolve();
    this.#flushing ??= (async () => {
      const changed = registry.takeChanged();
      try {
        await store.save(changed);
      } catch (error) {
        registry.putBack(changed);
        throw error;
      } finally {
        this.#flushing = undefined;
      }
      this.#flushes += 1;
      if (this.#flushes % SWEEP_EVERY_FLUSHES === 0) {
        await store.removeHeardBefore(new Date(clock.now() - LOST_RETENTION_MS).toISOString());
      }
    })();
    return this.#flushing;
  }

  /**
   * Every run this replica knows and those the other replicas wrote, newest first. A run known
   * both here and in the store (its guard moved between replicas) is shown as last heard from.
   */
  async list(): Promise<RunRecord[]> {
    const here = this.deps.registry.list();
    const elsewhere = await this.#elsewhere();
    const byId = new Map(here.map((run) => [run.id, run]));
    for (const { view, heardAt } of elsewhere) {
      const local = byId.get(view.id);
      if (local === undefined || heardAt > local.lastHeartbeatAt) byId.set(view.id, view);
    }
    return [...byId.values()].sort((left, right) => right.startedAt.localeCompare(left.startedAt));
  }

  /** The run with this id, known here or written by another replica. */
  async get(id: string): Promise<RunRecord | undefined> {
    return this.deps.registry.get(id) ?? (await this.#elsewhere()).find(({ view }) => view.id === id)?.view;
  }

  async #elsewhere(): Promise<{ view: RunRecord; heardAt: string }[]> {
    const { store, clock } = this.deps;
    if (store === undefined) return [];
    const now = clock.now();
    const runs = await store.list({ heardSince: new Date(now - LOST_RETENTION_MS).toISOString() });
    return runs.flatMap((run) => {
      const view = viewOf(run, now);
      return view === undefined ? [] : [{ view, heardAt: run.heardAt }];
    });
  }
}

/** A shared run as listed at `now`: lost when not heard from for a while; undefined once ended long ago. */
function viewOf(run: SharedRun, now: number): RunRecord | undefined {
  const { record } = run;
  if (record.status === 'ended') {
    const endedMs = Date.parse(record.endedAt ?? run.heardAt);
    return now - endedMs > ENDED_RETENTION_MS ? undefined : record;
  }
  const lost = now - Date.parse(run.heardAt) > MISSED_HEARTBEATS * run.heartbeatMs;
  return lost ? { ...record, status: 'lost' } : record;
}
