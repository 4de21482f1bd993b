import {
  EstopError,
  ruleStoppingRun,
  type Clock,
  type Rule,
  type RunEnd,
  type RunHeartbeat,
  type RunRecord,
  type RunsEnforcement,
  type RunStart,
  type SharedRun,
} from '@estop/core';

interface LiveRun {
  record: RunRecord;
  /** The token that registered the run; only it (or an admin) reports on it. */
  owner: string;
  heartbeatMs: number;
  lastHeardMs: number;
  endedMs: number | undefined;
}

/** Heartbeats a run may miss before it is shown as lost. */
export const MISSED_HEARTBEATS = 3;
/** How long an ended run stays listed, so that kills can report it. */
export const ENDED_RETENTION_MS = 10 * 60_000;
/** How long a lost run stays listed after it was last heard from. */
export const LOST_RETENTION_MS = 60 * 60_000;

/**
 * Runs registered with this replica: who runs them, where they stand, what they have in flight.
 * In memory only: runs report themselves again (they register anew when a heartbeat is refused),
 * and the rules that stop them are durable elsewhere.
 */
export class RunRegistry {
  readonly #runs = new Map<string, LiveRun>();
  /** Runs changed since `takeChanged` last ran: what this replica has to share. */
  readonly #changed = new Set<string>();
  readonly #clock: Clock;
  readonly #onSpend: ((run: RunRecord, usd: number) => void) | undefined;

  /** `onSpend` hears of each rise in a run's reported spend (for the spend sentinels). */
  constructor(clock: Clock, onSpend?: (run: RunRecord, usd: number) => void) {
    this.#clock = clock;
    this.#onSpend = onSpend;
  }

  /**
   * Registers a run, or registers it again after this replica forgot it.
   *
   * @throws EstopError `conflict` when another token registered a run with this id.
   */
  start(owner: string, start: RunStart): RunRecord {
    this.#prune();
    const existing = this.#runs.get(start.id);
    if (existing !== undefined && existing.owner !== owner) {
      throw new EstopError({ code: 'conflict', message: `run ${start.id} belongs to another enforcer token` });
    }
    const now = this.#clock.now();
    const record: RunRecord = existing?.record ?? {
      id: start.id,
      tenant: start.tenant,
      agent: start.agent,
      enforcer: start.enforcer,
      status: 'running',
      startedAt: start.startedAt,
      lastHeartbeatAt: new Date(now).toISOString(),
      inFlight: [],
      budgets: start.budgets,
    };
    record.lastHeartbeatAt = new Date(now).toISOString();
    this.#runs.set(start.id, {
      record,
      owner,
      heartbeatMs: start.heartbeatMs,
      lastHeardMs: now,
      endedMs: existing?.endedMs,
    });
    this.#changed.add(start.id);
    return { ...record };
  }

  /**
   * Records a heartbeat.
   *
   * @throws EstopError `not_found` when the run is unknown here (the enforcer registers it again).
   */
  heartbeat(owner: string, id: string, heartbeat: RunHeartbeat): void {
    const live = this.#owned(owner, id);
    if (live.endedMs !== undefined) return;
    live.lastHeardMs = this.#clock.now();
    live.record.lastHeartbeatAt = new Date(live.lastHeardMs).toISOString();
    live.record.status = heartbeat.status;
    if (heartbeat.stopReason !== undefined) live.record.stopReason = heartbeat.stopReason;
    live.record.inFlight = heartbeat.inFlight;
    this.#use(live, heartbeat.usage);
    this.#changed.add(id);
  }

  /** Takes a run's reported usage, telling `onSpend` how much more it spent since last heard. */
  #use(live: LiveRun, usage: RunRecord['usage']): void {
    if (usage === undefined) return;
    const more = usage.spentUsd - (live.record.usage?.spentUsd ?? 0);
    live.record.usage = usage;
    if (more > 0) this.#onSpend?.(live.record, more);
  }

  /**
   * Records the end of a run. Returns the run and whether this was news (an end repeated after
   * a lost answer changes nothing and must not be audited twice).
   *
   * @throws EstopError `not_found` when the run is unknown here.
   */
  end(owner: string, id: string, end: RunEnd): { run: RunRecord; first: boolean } {
    const live = this.#owned(owner, id);
    if (live.endedMs !== undefined) return { run: { ...live.record }, first: false };
    const now = this.#clock.now();
    live.endedMs = now;
    live.lastHeardMs = now;
    Object.assign(live.record, {
      status: 'ended',
      stopReason: end.stopReason,
      inFlight: [],
      endedAt: new Date(now).toISOString(),
      lastHeartbeatAt: new Date(now).toISOString(),
    } satisfies Partial<RunRecord>);
    this.#use(live, end.usage);
    this.#changed.add(id);
    return { run: { ...live.record }, first: true };
  }

  /**
   * The runs changed since the last call, as other replicas are to see them, and forgets that
   * they changed; `putBack` them if they could not be shared.
   */
  takeChanged(): SharedRun[] {
    const changed: SharedRun[] = [];
    for (const id of this.#changed) {
      const live = this.#runs.get(id);
      if (live === undefined) continue;
      const record = { ...live.record, inFlight: [...live.record.inFlight] };
      changed.push({ record, heartbeatMs: live.heartbeatMs, heardAt: new Date(live.lastHeardMs).toISOString() });
    }
    this.#changed.clear();
    return changed;
  }

  /** Marks runs as changed again, for the next `takeChanged`. */
  putBack(runs: readonly SharedRun[]): void {
    for (const run of runs) this.#changed.add(run.record.id);
  }

  /** The run with this id, if this replica knows it. */
  get(id: string): RunRecord | undefined {
    const live = this.#runs.get(id);
    return live === undefined ? undefined : this.#view(live);
  }

  /** Every run this replica knows, newest first; runs not heard from lately are `lost`. */
  list(): RunRecord[] {
    this.#prune();
    return [...this.#runs.values()]
      .map((live) => this.#view(live))
      .sort((left, right) => right.startedAt.localeCompare(left.startedAt));
  }

  /**
   * How far `rule` has reached the runs it stops: undefined unless it stops runs at all (a
   * `full_stop` naming no tool). Runs already over when the rule was created are not counted;
   * with `tenant`, only that tenant's runs are.
   */
  enforcement(rule: Rule, tenant?: string): RunsEnforcement | undefined {
    if (rule.mode !== 'full_stop' || rule.scope.tool !== undefined) return undefined;
    // A scheduled rule reaches runs from its start, not its creation.
    const createdMs = rule.startsAt === undefined ? Date.parse(rule.createdAt) : Date.parse(rule.startsAt);
    const result: RunsEnforcement = { affected: 0, stopped: 0, terminated: 0, inFlight: 0 };
    for (const live of this.#runs.values()) {
      const { record } = live;
      if (live.endedMs !== undefined && live.endedMs < createdMs) continue;
      if (tenant !== undefined && record.tenant !== tenant) continue;
      const identity = { tenant: record.tenant, agent: record.agent, run: record.id };
      // Matched at the rule's creation, so that a rule expired since still counts its runs.
      if (ruleStoppingRun([rule], identity, createdMs) === undefined) continue;
      const view = this.#view(live);
      result.affected += 1;
      if (view.status === 'stopped' || view.status === 'ended') result.stopped += 1;
      if (view.status === 'ended') result.terminated += 1;
      else result.inFlight += view.inFlight.length;
    }
    return result;
  }

  #owned(owner: string, id: string): LiveRun {
    const live = this.#runs.get(id);
    if (live === undefined) throw new EstopError({ code: 'not_found', message: `run ${id} is not registered here` });
    if (live.owner !== owner) {
      throw new EstopError({ code: 'forbidden', message: `run ${id} belongs to another enforcer token` });
    }
    return live;
  }

  #view(live: LiveRun): RunRecord {
    const lost =
      live.endedMs === undefined && this.#clock.now() - live.lastHeardMs > MISSED_HEARTBEATS * live.heartbeatMs;
    return { ...live.record, inFlight: [...live.record.inFlight], status: lost ? 'lost' : live.record.status };
  }

  #prune(): void {
    const now = this.#clock.now();
    for (const [id, live] of this.#runs) {
      const expired =
        live.endedMs !== undefined
          ? now - live.endedMs > ENDED_RETENTION_MS
          : now - live.lastHeardMs > LOST_RETENTION_MS;
      if (expired) this.#runs.delete(id);
    }
  }
}
