import {
  applyChange,
  applyResume,
  buildRuleIndex,
  type ChangeEvent,
  type Clock,
  type Effect,
  type RuleIndex,
  type StateSnapshot,
  type StreamResume,
} from '@estop/core';

/**
 * What the guards of one process share. They receive the same change events, decoded once (see
 * StateSync), and hold the same snapshots: a change applied to a snapshot is remembered with the
 * snapshot it gave, and a snapshot's rule index for the same local tool effects is built once.
 * So a change that reaches thousands of guards in a process is applied and indexed once, not
 * once each. Kept weakly: what no guard holds is forgotten. Snapshots and indexes are never
 * changed once made (an index's tool memo only remembers what its rules give).
 */
const nextOf = new WeakMap<StateSnapshot, { event: ChangeEvent; next: StateSnapshot | undefined }>();
const indexesOf = new WeakMap<StateSnapshot, Map<string, RuleIndex>>();

function sharedIndex(snapshot: StateSnapshot, tools: Record<string, Effect>, toolsKey: string): RuleIndex {
  let indexes = indexesOf.get(snapshot);
  if (indexes === undefined) {
    indexes = new Map();
    indexesOf.set(snapshot, indexes);
  }
  let index = indexes.get(toolsKey);
  if (index === undefined) {
    index = buildRuleIndex(snapshot, tools);
    indexes.set(toolsKey, index);
  }
  return index;
}

/**
 * The state an enforcer decides with: the last applied snapshot, its rule index, and when
 * the control plane was last heard from. Versions are applied strictly in order.
 */
export class LocalState {
  /** The index `decide` reads; replaced whole on every applied version, never mutated. */
  index: RuleIndex;
  /** Whether a snapshot has been applied. */
  synced = false;
  /** Clock time of the last snapshot, change or keep-alive applied. */
  heardAt = -Infinity;
  #snapshot: StateSnapshot = { version: 0, rules: [], tools: {} };
  readonly #tools: Record<string, Effect>;
  /** The local tool effects as text, naming the indexes built with them. */
  readonly #toolsKey: string;
  readonly #clock: Clock;
  readonly #onApplied: (snapshot: StateSnapshot, isSnapshot: boolean) => void;

  constructor(
    tools: Record<string, Effect>,
    clock: Clock,
    onApplied: (snapshot: StateSnapshot, isSnapshot: boolean) => void,
  ) {
    this.#tools = tools;
    this.#toolsKey = JSON.stringify(Object.entries(tools).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.#clock = clock;
    this.#onApplied = onApplied;
    this.index = buildRuleIndex(this.#snapshot, tools);
  }

  /** The applied version; 0 before the first snapshot. */
  get version(): number {
    return this.#snapshot.version;
  }

  /**
   * Replaces the state, unless the snapshot is older than the version held and from the same
   * store: it then comes from a replica that is behind, and applying it would undo stops the
   * enforcer has already applied. Returns false, changing nothing, in that case. A snapshot
   * from another store (its `storeId` differs: the store was reset) is followed whatever its
   * version; an older one that names no store, or whose store is unknown here, is refused, since
   * nothing shows a reset.
   */
  applySnapshot(snapshot: StateSnapshot): boolean {
    if (this.synced && snapshot.version < this.#snapshot.version && !this.#isAnotherStore(snapshot)) return false;
    this.#commit(snapshot, true);
    return true;
  }

  #isAnotherStore(snapshot: StateSnapshot): boolean {
    const held = this.#snapshot.storeId;
    return held !== undefined && snapshot.storeId !== undefined && snapshot.storeId !== held;
  }

  /**
   * Continues from the applied version on a stream that resumed from it, with the control
   * plane's tool effects; counts, like a snapshot, as a fresh start to acknowledge. Returns
   * false, changing nothing, when nothing was applied yet or `resume` names another version.
   * It does not make the state fresh: the changes the replica has after it follow, and only
   * they (or the keep-alive the control plane sends once they are written) show the state is
   * current, so that a stale enforcer is not fresh on its old version in between.
   */
  applyResume(resume: StreamResume): boolean {
    if (!this.synced) return false;
    const next = applyResume(this.#snapshot, resume);
    if (next === undefined) return false;
    this.#commit(next, true, false);
    return true;
  }

  /** Applies the next version; returns false, changing nothing, when `event` is not the next version. */
  applyChange(event: ChangeEvent): boolean {
    const held = this.#snapshot;
    const known = nextOf.get(held);
    let next: StateSnapshot | undefined;
    if (known !== undefined && known.event === event) next = known.next;
    else {
      next = applyChange(held, event);
      nextOf.set(held, { event, next });
    }
    if (next === undefined) return false;
    this.#commit(next, false);
    return true;
  }

  /** Records a keep-alive; returns false when it names another version than the applied one. */
  hear(version: number): boolean {
    if (version !== this.#snapshot.version) return false;
    this.heardAt = this.#clock.now();
    return true;
  }

  #commit(snapshot: StateSnapshot, isSnapshot: boolean, fresh = true): void {
    this.index = sharedIndex(snapshot, this.#tools, this.#toolsKey);
    this.#snapshot = snapshot;
    this.synced = true;
    if (fresh) this.heardAt = this.#clock.now();
    this.#onApplied(snapshot, isSnapshot);
  }
}
