/** When a version was committed, and when each enforcer first applied it. */
export interface VersionTrack {
  committedAt: number;
  ackedAt: Map<string, number>;
}

const TRACKED_VERSIONS = 64;

/**
 * The last TRACKED_VERSIONS versions' propagation: how long each took to reach each enforcer.
 * An acknowledgement costs a look at the versions it newly covers only (usually one), not at
 * every version tracked, so ten thousand enforcers acknowledging a flip cost ten thousand steps.
 */
export class VersionTracks {
  /** Tracked versions, ascending. */
  readonly #order: number[] = [];
  readonly #tracks = new Map<number, VersionTrack>();

  /** Starts tracking `version`, committed at `committedAtMs`. */
  note(version: number, committedAtMs: number): void {
    if (!this.#tracks.has(version)) {
      let at = this.#order.length;
      while (at > 0 && (this.#order[at - 1] as number) > version) at -= 1;
      this.#order.splice(at, 0, version);
    }
    this.#tracks.set(version, { committedAt: committedAtMs, ackedAt: new Map() });
    while (this.#order.length > TRACKED_VERSIONS) this.#tracks.delete(this.#order.shift() as number);
  }

  /** The track of `version`, while it is tracked. */
  get(version: number): VersionTrack | undefined {
    return this.#tracks.get(version);
  }

  /**
   * Notes that enforcer `id`, which had applied `from`, applied `to` at `now`: each tracked
   * version in (from, to] it had not applied yet is told to `onPropagated` with its delay.
   */
  applied(id: string, from: number, to: number, now: number, onPropagated: (ms: number) => void): void {
    for (let at = this.#order.length - 1; at >= 0; at--) {
      const version = this.#order[at] as number;
      if (version <= from) break;
      if (version > to) continue;
      const track = this.#tracks.get(version) as VersionTrack;
      if (track.ackedAt.has(id)) continue;
      track.ackedAt.set(id, now);
      onPropagated(now - track.committedAt);
    }
  }

  /** Forgets what enforcer `id` applied (it deregistered). */
  forget(id: string): void {
    for (const track of this.#tracks.values()) track.ackedAt.delete(id);
  }
}
