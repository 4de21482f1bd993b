import { randomUUID } from 'node:crypto';
import { EstopError, type Clock, type Enforcement, type EnforcerRecord, type EnforcerStore } from '@estop/core';
import { DEFAULT_FORGET_AFTER_MS, DepartedSweep, checkForgetAfter } from './enforcer-expiry.js';
import type { RegistryEntry } from './registry-entry.js';
import { REMOTE_LIVE_MS, RegistrySaver, type FlushKind } from './registry-saver.js';
import { VersionTracks } from './version-tracks.js';
import { VersionWaits, behindIn, countedFor, countedHere } from './version-waits.js';

// How often a wait re-reads other replicas' enforcers from the store.
const REMOTE_POLL_MS = 200;
// Registrations check other replicas' enforcers against a read at most this old, so that many
// enforcers registering at once (after a restart) cost one store read a second, not one each.
const REGISTRATION_READ_MS = 1000;
// Acknowledgements that advance versions reach the store this soon (see RegistrySaver): a wait
// on another replica re-reads it every REMOTE_POLL_MS, so hears of them within about both.
const ACK_FLUSH_MS = 25;

/** How an EnforcerRegistry forgets departed enforcers, and whom it tells of what. */
export interface EnforcerRegistryOptions {
  /**
   * This replica's id, named by the records of the enforcers whose streams it holds and by its
   * heartbeat. Default: a random UUID; a process takes a new one each time it starts.
   */
  replica?: string | undefined;
  /** Told, after each flush, how many rows it wrote to the store: enforcer records and heartbeats. */
  onSaved?: ((rows: number) => void) | undefined;
  /**
   * How long a disconnected enforcer is kept (in memory, in the store, in the list) before it is
   * forgotten. Default 10 minutes; at least MIN_FORGET_AFTER_MS.
   */
  forgetAfterMs?: number | undefined;
  /** Told how long each version took to reach an enforcer, in milliseconds. */
  onPropagated?: ((ms: number) => void) | undefined;
  /** Told, once per flush, of the records the store refused on their own; the flush saved the others. */
  onSaveFailed?: ((ids: string[], error: unknown) => void) | undefined;
  /** Told when departed enforcers were forgotten, so that operator views list them no more. */
  onForgotten?: (() => void) | undefined;
  /** Told when the store could not delete departed records; a later sweep deletes them. */
  onForgetFailed?: ((error: unknown) => void) | undefined;
}

/**
 * Enforcers known to this replica: which are connected to the stream, what each has applied,
 * and how long each version took to reach them. Acknowledgements update memory at once; other
 * replicas learn of them, and of which enforcers are live here, from the store, at a cost that
 * does not grow with them (see RegistrySaver). Another replica counts an enforcer whose record
 * names this one while this one's heartbeat is recent (REMOTE_LIVE_MS), so when this process
 * dies, its enforcers stop counting within seconds. An enforcer that deregisters leaves at once;
 * one gone longer than `forgetAfterMs` leaves memory and the store at a later flush.
 */
export class EnforcerRegistry {
  private readonly live = new Map<string, RegistryEntry>();
  private readonly versions = new VersionTracks();
  private readonly waits = new VersionWaits();
  private flushing: Promise<void> | undefined;
  private ackFlush: NodeJS.Timeout | undefined;
  private recentRead: { at: number; records: Promise<Map<string, EnforcerRecord>> } | undefined;
  /** This replica's id: see EnforcerRegistryOptions.replica. */
  readonly replica: string;
  private readonly saver: RegistrySaver;
  private readonly onPropagated: (ms: number) => void;
  private readonly onForgetFailed: (error: unknown) => void;

  /** @throws EstopError `config_invalid` when `forgetAfterMs` is shorter than MIN_FORGET_AFTER_MS. */
  constructor(
    private readonly store: EnforcerStore,
    private readonly clock: Clock,
    options: EnforcerRegistryOptions = {},
  ) {
    const forgetAfterMs = checkForgetAfter(options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
    this.replica = options.replica ?? randomUUID();
    this.onPropagated = options.onPropagated ?? (() => {});
    this.onForgetFailed = options.onForgetFailed ?? (() => {});
    this.saver = new RegistrySaver(store, this.replica, forgetAfterMs, new DepartedSweep(store, forgetAfterMs), {
      onSaved: options.onSaved ?? (() => {}),
      onSaveFailed: options.onSaveFailed ?? (() => {}),
      onForgotten: options.onForgotten ?? (() => {}),
      onForgetFailed: this.onForgetFailed,
    });
  }

  /**
   * Records an enforcer's registration (its id is its own) by the identity `owner`. Only that
   * identity may then stream and acknowledge as this enforcer, so no other token can make a
   * stop look enforced. Like acknowledgements, it is saved with the next batch: enforcer
   * records are what the enforcers themselves report again on every reconnect.
   */
  register(
    record: Omit<EnforcerRecord, 'version' | 'inFlight' | 'lastSeenAt' | 'replica'>,
    owner: string,
    tenant?: string,
  ): EnforcerRecord {
    const existing = this.live.get(record.id);
    if (existing !== undefined && existing.owner !== owner) {
      throw new EstopError({ code: 'forbidden', message: `enforcer ${record.id} is registered by another token` });
    }
    // A registration starts a new session: what the enforcer applied counts again only once it
    // acknowledges it, so that an enforcer restarted under the same id is never counted for a
    // version its new process has not applied.
    const full: EnforcerRecord = {
      ...existing?.record,
      ...record,
      version: 0,
      inFlight: 0,
      lastSeenAt: new Date(this.clock.now()).toISOString(),
    };
    // The tenant comes from the token, never from the registration; kept in the store so that
    // other replicas, too, show the enforcer to its tenant only.
    delete full.tenant;
    if (tenant !== undefined) full.tenant = tenant;
    const streams = existing?.streams ?? 0;
    delete full.replica;
    if (streams > 0) full.replica = this.replica;
    this.live.set(record.id, { record: full, owner, tenant, streams, dirty: true });
    if (streams > 0) this.waits.changed();
    return full;
  }

  /**
   * Throws `forbidden` when another replica vouches for an enforcer `id` registered by a token
   * of another tenant (or by an unbound token, for a tenant's token, and the reverse): an
   * enforcer's id is its registering tenant's on every replica, so no token can take over
   * another tenant's enforcer there and so blind or mislead that tenant's views. The same
   * tenant's enforcer may move between replicas. When the store cannot be read, registration
   * goes on: enforcers must be able to connect while the store is away.
   */
  async requireRegistrable(id: string, tenant: string | undefined): Promise<void> {
    if (this.live.has(id)) return;
    let records: Map<string, EnforcerRecord>;
    try {
      records = await this.recentlySeen();
    } catch {
      return;
    }
    const elsewhere = records.get(id);
    if (elsewhere !== undefined && elsewhere.tenant !== tenant) {
      throw new EstopError({ code: 'forbidden', message: `enforcer ${id} is registered by another token` });
    }
  }

  /** True when `owner` registered the enforcer `id` with this replica. */
  owns(id: string, owner: string): boolean {
    return this.live.get(id)?.owner === owner;
  }

  /**
   * Forgets the enforcer `id` at once, if `owner` registered it: it leaves memory, the counts of
   * waits and enforcement, and the store. False (and nothing changed) otherwise. A store that
   * cannot delete the record is reported to `onForgetFailed`; the record then leaves with the
   * departed, after `forgetAfterMs`.
   */
  async deregister(id: string, owner: string): Promise<boolean> {
    const entry = this.live.get(id);
    if (entry === undefined || entry.owner !== owner) return false;
    this.live.delete(id);
    this.versions.forget(id);
    this.waits.changed();
    // A flush under way may be saving the record: delete it after that, not before.
    await this.flushing?.catch(() => {});
    await this.store.remove([id]).catch((error: unknown) => this.onForgetFailed(error));
    return true;
  }

  /**
   * Marks a stream open for the enforcer; call the returned function when it closes. Its record
   * names this replica from its first open stream until its last one closes.
   */
  connect(id: string): () => void {
    const entry = this.live.get(id);
    if (entry === undefined) return () => {};
    entry.streams += 1;
    if (entry.streams === 1) {
      entry.record.replica = this.replica;
      entry.record.lastSeenAt = new Date(this.clock.now()).toISOString();
      entry.dirty = true;
      this.waits.changed();
    }
    return () => {
      entry.streams -= 1;
      entry.record.lastSeenAt = new Date(this.clock.now()).toISOString();
      if (entry.streams === 0) {
        delete entry.record.replica;
        entry.dirty = true;
        this.waits.changed();
      }
    };
  }

  /** Notes when a version was committed, to measure its propagation. */
  noteCommit(version: number, committedAtMs: number): void {
    this.versions.note(version, committedAtMs);
  }

  /** Records that an enforcer applied `version` with `inFlight` calls running. */
  ack(id: string, version: number, inFlight: number, owner: string): boolean {
    const entry = this.live.get(id);
    if (entry === undefined || entry.owner !== owner) return false;
    const now = this.clock.now();
    entry.record.lastSeenAt = new Date(now).toISOString();
    const from = entry.record.version;
    // Other replicas read the version applied (from the heartbeat, see RegistrySaver) and the calls in flight.
    if (version > from) {
      // A record showing no version yet is not covered by the heartbeat: written.
      if (from === 0) entry.dirty = true;
      else entry.ahead ??= 'new';
      this.flushSoon();
    }
    if (inFlight !== entry.record.inFlight) entry.dirty = true;
    entry.record.version = Math.max(from, version);
    entry.record.inFlight = inFlight;
    this.versions.applied(id, from, version, now, this.onPropagated);
    this.waits.applied(id, from, version);
    return true;
  }

  /**
   * Whether every live enforcer, on this replica and on the others sharing the store, has
   * applied `version`. Other replicas' enforcers are known from the store, where their versions
   * are behind by at most an acknowledgement flush (25 ms) once all of that replica's enforcers
   * applied them, or a couple of seconds while one lags (see RegistrySaver), and never ahead;
   * with any of them counted, `ms` (measured on this replica's acknowledgements only) is left
   * out rather than understated. With `tenant`, see `enforcement`: that tenant's enforcers, and
   * unbound ones counted but not named.
   */
  async enforcementEverywhere(
    version: number,
    tenant?: string,
    others: Promise<EnforcerRecord[]> = this.othersRecords(),
  ): Promise<Enforcement> {
    const records = await others;
    const local = this.enforcement(version, tenant);
    const remote = this.countedElsewhere(records, tenant);
    if (remote.length === 0) return local;
    const remoteBehind = remote.filter((record) => record.version < version);
    const remotePending = remoteBehind
      .filter((record) => record.tenant === tenant || tenant === undefined)
      .map(({ id, name, version: applied }) => ({ id, name, version: applied }));
    return {
      version,
      acknowledged: local.acknowledged + remote.length - remoteBehind.length,
      total: local.total + remote.length,
      pending: [...local.pending, ...remotePending],
    };
  }

  /**
   * This replica's connected enforcers and whether each has applied `version`. With `tenant`
   * (a tenant-bound caller), the enforcers registered by that tenant's tokens, and those
   * registered by unbound tokens, which apply every tenant's rules: counted in `acknowledged`
   * and `total` but not named in `pending` (they are the operator's, not the tenant's); another
   * tenant's enforcers are neither counted nor named.
   */
  enforcement(version: number, tenant?: string): Enforcement {
    const connected = [...this.live.values()].filter((entry) => countedHere(entry, tenant));
    const behind = connected.filter((entry) => entry.record.version < version);
    const pending = behind
      .filter((entry) => entry.tenant === tenant || tenant === undefined)
      .map(({ record }) => ({ id: record.id, name: record.name, version: record.version }));
    const result: Enforcement = {
      version,
      acknowledged: connected.length - behind.length,
      total: connected.length,
      pending,
    };
    const track = this.versions.get(version);
    if (behind.length === 0 && track !== undefined && connected.length > 0) {
      const times = connected.map((entry) => track.ackedAt.get(entry.record.id) ?? track.committedAt);
      result.ms = Math.max(0, Math.max(...times) - track.committedAt);
    }
    return result;
  }

  /**
   * Resolves once every live enforcer (see enforcementEverywhere; with `tenant`, that
   * tenant's) has applied `version`, or after `timeoutMs` with what is known then.
   */
  async waitFor(version: number, timeoutMs: number, tenant?: string): Promise<Enforcement> {
    const deadline = this.clock.now() + timeoutMs;
    const wait = this.waits.open(version, tenant);
    try {
      // Other replicas' records are read again every REMOTE_POLL_MS and counted once per read
      // (or when an enforcer came or went here); this replica's are followed as they acknowledge.
      let others: { at: number; records: Promise<EnforcerRecord[]>; behind?: number | undefined } | undefined;
      for (;;) {
        const now = this.clock.now();
        if (others === undefined || now - others.at >= REMOTE_POLL_MS)
          others = { at: now, records: this.othersRecords() };
        const records = await others.records;
        if (wait.behind === undefined) {
          wait.behind = behindIn(this.live, version, tenant);
          others.behind = undefined;
        }
        others.behind ??= this.countedElsewhere(records, tenant).filter((record) => record.version < version).length;
        const left = deadline - this.clock.now();
        if ((wait.behind.size === 0 && others.behind === 0) || left <= 0)
          return await this.enforcementEverywhere(version, tenant, others.records);
        // Woken when the last enforcer here behind acknowledges, or when one comes or goes, or
        // after a short while to re-read other replicas.
        await VersionWaits.sleep(wait, Math.min(left, REMOTE_POLL_MS));
      }
    } finally {
      this.waits.close(wait);
    }
  }

  /**
   * Every enforcer this replica knows, with whether it is connected now, and the live
   * enforcers of other replicas sharing the store (connected there). With `tenant`, only the
   * enforcers registered by a token bound to that tenant, here and on the other replicas (the
   * store keeps each enforcer's tenant); unbound enforcers are shown to unbound tokens only.
   */
  async list(tenant?: string): Promise<(EnforcerRecord & { connected: boolean })[]> {
    const here = [...this.live.values()]
      .filter((entry) => tenant === undefined || entry.tenant === tenant)
      .map((entry) => ({ ...entry.record, connected: entry.streams > 0 }));
    const elsewhere = this.liveElsewhere(await this.othersRecords())
      .filter((record) => tenant === undefined || record.tenant === tenant)
      .map((record) => ({ ...record, connected: true }));
    const moved = new Set(elsewhere.map((record) => record.id));
    return [...here.filter((record) => !moved.has(record.id)), ...elsewhere];
  }

  /** The enforcers recently seen by other replicas, read at most once per REGISTRATION_READ_MS. */
  private recentlySeen(): Promise<Map<string, EnforcerRecord>> {
    const now = this.clock.now();
    if (this.recentRead === undefined || now - this.recentRead.at > REGISTRATION_READ_MS) {
      const records = this.othersRecords().then((list) => new Map(list.map((record) => [record.id, record])));
      const read = { at: now, records };
      this.recentRead = read;
      records.catch(() => {
        if (this.recentRead === read) this.recentRead = undefined;
      });
    }
    return this.recentRead.records;
  }

  /**
   * The records other replicas have vouched for recently (by their heartbeat, or by writing the
   * record), read from the store. Records naming this replica are left out, in the store's query:
   * they are this replica's own, counted from memory or not at all (a stream that closed here,
   * its record not yet saved), and a replica holding thousands of enforcers does not read them back.
   */
  private othersRecords(): Promise<EnforcerRecord[]> {
    const since = new Date(this.clock.now() - REMOTE_LIVE_MS).toISOString();
    return this.store.list({ seenSince: since, notHeldBy: this.replica });
  }

  /** Of `records` (see othersRecords), the enforcers not connected here that count for a caller bound to `tenant`. */
  private countedElsewhere(records: readonly EnforcerRecord[], tenant: string | undefined): EnforcerRecord[] {
    return this.liveElsewhere(records).filter((record) => countedFor(record.tenant, tenant));
  }

  /** Of `records` (see othersRecords), the enforcers not connected here. */
  private liveElsewhere(records: readonly EnforcerRecord[]): EnforcerRecord[] {
    return records.filter((record) => {
      const here = this.live.get(record.id);
      // Known here: counted here while connected; elsewhere only if seen there after it left.
      return here === undefined || (here.streams === 0 && record.lastSeenAt > here.record.lastSeenAt);
    });
  }

  /** Number of enforcers with an open stream. */
  connectedCount(): number {
    let count = 0;
    for (const entry of this.live.values()) if (entry.streams > 0) count += 1;
    return count;
  }

  /**
   * Writes this replica's heartbeat and the records due, and forgets enforcers disconnected
   * longer than `forgetAfterMs` (see RegistrySaver.save). One flush runs at a time. `kind`: the
   * periodic flush (the default), or one soon after acknowledgements.
   */
  flush(kind: FlushKind = 'periodic'): Promise<void> {
    this.flushing ??= this.saver.save(this.live, this.clock.now(), kind).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Flushes within ACK_FLUSH_MS, once for every acknowledgement that came meanwhile. */
  private flushSoon(): void {
    if (this.ackFlush !== undefined) return;
    this.ackFlush = setTimeout(() => {
      this.ackFlush = undefined;
      // After a flush under way, which may have listed its records before this acknowledgement.
      // A failure here is told by the periodic flush, which saves these records again.
      const previous = this.flushing ?? Promise.resolve();
      void previous
        .catch(() => {})
        .then(() => this.flush('acknowledgements'))
        .catch(() => {});
    }, ACK_FLUSH_MS);
    this.ackFlush.unref();
  }

  /** Cancels an acknowledgement flush not yet started (the control plane's close flushes itself). */
  close(): void {
    clearTimeout(this.ackFlush);
    this.ackFlush = undefined;
  }
}
