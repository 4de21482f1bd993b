import type { EnforcerStore } from '@estop/core';
import type { DepartedSweep } from './enforcer-expiry.js';
import { saveEach, type RegistryEntry } from './registry-entry.js';

// Another replica's enforcer counts as live while that replica's heartbeat (written on its
// flushes, about once a second) or the enforcer's record was written this recently.
export const REMOTE_LIVE_MS = 5000;
// A flush writes this replica's heartbeat when the last one is at least this old, or when the
// version its enforcers have all applied moved; the acknowledgement flushes in between cost none.
const HEARTBEAT_MS = 500;

/** Which flush: the periodic one (about once a second), or one soon after acknowledgements. */
export type FlushKind = 'periodic' | 'acknowledgements';

/** What a RegistrySaver tells: rows written, records refused, departed enforcers forgotten or not. */
export interface SaverEvents {
  onSaved: (rows: number) => void;
  onSaveFailed: (ids: string[], error: unknown) => void;
  onForgotten: () => void;
  onForgetFailed: (error: unknown) => void;
}

/**
 * Writes a replica's enforcers to the store at a cost that does not grow with them while they
 * are quiet, nor when they all acknowledge a version. The heartbeat names the replica alive and
 * the lowest version applied by its enforcers that applied any: when a flip reaches ten thousand
 * enforcers, one row tells other replicas. A record is written when something else about it
 * changed (registration, its stream opening or closing, its first version, its calls in flight),
 * or when its version stayed ahead of the heartbeat's through a periodic flush and into the next
 * (some enforcer lags): other replicas then see each one's progress a second or two late, never ahead.
 */
export class RegistrySaver {
  /** When this replica's last heartbeat was written (by its clock), if one was. */
  #heartbeatAt: number | undefined;
  /** The version the last heartbeat written vouched for. */
  #applied = 0;

  constructor(
    private readonly store: EnforcerStore,
    private readonly replica: string,
    private readonly forgetAfterMs: number,
    private readonly departed: DepartedSweep,
    private readonly events: SaverEvents,
  ) {}

  /**
   * Writes the heartbeat (while the replica holds any stream) and the records due, and forgets
   * enforcers disconnected longer than `forgetAfterMs`, in `live` and (every few seconds, any
   * replica's) in the store. When the store refuses the batch, each record is saved on its own:
   * one record the store cannot hold is reported and left for the next flush, and never keeps the
   * others from being saved. Rejects only when nothing could be saved, or the heartbeat could not be.
   */
  async save(live: Map<string, RegistryEntry>, now: number, kind: FlushKind): Promise<void> {
    let saved = 0;
    try {
      const stamp = new Date(now).toISOString();
      let forgotten = 0;
      let connected = 0;
      // What the heartbeat vouches for: the lowest version among the enforcers whose records may
      // name this replica and show a version (the store covers no record showing 0): those
      // connected here that applied any, and (below) those whose record the store refused.
      let applied = Infinity;
      const dirty: RegistryEntry[] = [];
      for (const [id, entry] of live) {
        if (entry.streams > 0) {
          // Shown in this replica's list; written only with the record's next change.
          entry.record.lastSeenAt = stamp;
          connected += 1;
          if (entry.record.version > 0) applied = Math.min(applied, entry.record.version);
        } else if (!entry.dirty && now - Date.parse(entry.record.lastSeenAt) > this.forgetAfterMs) {
          live.delete(id);
          forgotten += 1;
          continue;
        }
        if (isDue(entry, kind, this.#applied)) dirty.push(entry);
      }
      // Records first: one whose stream closed, or registered again, stops naming this replica,
      // or shows version 0, before a heartbeat that would not cover it is written.
      let recordsFailure: { error: unknown } | undefined;
      if (dirty.length > 0) {
        saved += await this.store
          .upsert(
            dirty.map((entry) => ({ ...entry.record })),
            this.replica,
          )
          .then(
            () => dirty.length,
            () => saveEach(this.store, this.replica, dirty, this.events.onSaveFailed),
          )
          .catch((error: unknown) => {
            recordsFailure = { error };
            return 0;
          });
        // A refused record may still name this replica, at a version the heartbeat must not exceed.
        for (const entry of dirty) if (entry.dirty) applied = Math.min(applied, entry.record.version);
      }
      if (applied === Infinity) applied = 0;
      let heartbeatFailure: { error: unknown } | undefined;
      const stale = this.#heartbeatAt === undefined || now - this.#heartbeatAt >= HEARTBEAT_MS;
      if (connected > 0 && (stale || applied !== this.#applied)) {
        try {
          await this.store.heartbeat(this.replica, stamp, applied);
          // Silent past REMOTE_LIVE_MS (the store away, the process frozen), other replicas may
          // have stopped counting this one's enforcers, and a sweep may have deleted their
          // records: write them all again at the next flush.
          if (this.#heartbeatAt !== undefined && now - this.#heartbeatAt > REMOTE_LIVE_MS) markConnectedDirty(live);
          this.#heartbeatAt = now;
          this.#vouched(live, applied);
          saved += 1;
        } catch (error) {
          heartbeatFailure = { error };
        }
      }
      forgotten += await this.departed.sweep(now).catch((error: unknown) => {
        this.events.onForgetFailed(error);
        return 0;
      });
      if (forgotten > 0) this.events.onForgotten();
      // A record the store refused never keeps the heartbeat, so the others, from other replicas.
      if (heartbeatFailure !== undefined) throw heartbeatFailure.error;
      if (recordsFailure !== undefined) throw recordsFailure.error;
    } finally {
      if (saved > 0) this.events.onSaved(saved);
    }
  }

  /**
   * The heartbeat written vouches for `applied`: the enforcers it covers are no longer ahead of
   * the store. A lower version than before (an enforcer behind connected) no longer covers the
   * others it covered: each is ahead again, and written if it stays so.
   */
  #vouched(live: Map<string, RegistryEntry>, applied: number): void {
    const lowered = applied < this.#applied;
    this.#applied = applied;
    for (const entry of live.values()) {
      if (entry.record.version <= applied) entry.ahead = undefined;
      else if (lowered && entry.streams > 0) entry.ahead ??= 'new';
    }
  }
}

/**
 * Whether a flush writes the entry's record, marking it clean: when it changed, or, at a
 * periodic flush, when it has been ahead of `applied` (the heartbeat's version) since the last
 * periodic flush.
 */
function isDue(entry: RegistryEntry, kind: FlushKind, applied: number): boolean {
  if (entry.ahead !== undefined && kind === 'periodic' && entry.record.version > applied) {
    if (entry.ahead === 'seen') entry.dirty = true;
    else entry.ahead = 'seen';
  }
  if (!entry.dirty) return false;
  entry.dirty = false;
  entry.ahead = undefined;
  return true;
}

/** Marks every connected enforcer's record to be written at the next flush. */
function markConnectedDirty(live: Map<string, RegistryEntry>): void {
  for (const entry of live.values()) if (entry.streams > 0) entry.dirty = true;
}
