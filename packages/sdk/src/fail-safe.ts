import { createFloor, type CompiledRule, type Mode } from '@estop/core';
import type { BreakGlassOverride } from './break-glass.js';

/**
 * The floors a guard decides with: the one place where failing safe lives. Each is built
 * ahead of time, so that choosing one on the hot path is a comparison, not an allocation.
 */
export class FailSafe {
  /** Before the first snapshot: the fail mode, or break-glass if stricter. */
  unsynced: CompiledRule;
  /** When nothing has been heard for longer than the staleness bound: likewise. */
  stale: CompiledRule;
  /** When the state is fresh: break-glass, if set. */
  fresh: CompiledRule | undefined;
  readonly #unsyncedBase: CompiledRule;
  readonly #staleBase: CompiledRule;

  constructor(failMode: Mode, staleAfterMs: number) {
    this.#unsyncedBase = createFloor(
      failMode,
      `no state from the control plane yet; failing safe to ${failMode}`,
      'stale',
    );
    this.#staleBase = createFloor(
      failMode,
      `no word from the control plane for ${staleAfterMs}ms; failing safe to ${failMode}`,
      'stale',
    );
    this.unsynced = this.#unsyncedBase;
    this.stale = this.#staleBase;
    this.fresh = undefined;
  }

  /** Sets or clears the break-glass override; on a tie with the fail mode, break-glass is named. */
  setBreakGlass(override: BreakGlassOverride | undefined): void {
    const floor = override === undefined ? undefined : createFloor(override.mode, override.reason, 'break_glass');
    this.fresh = floor;
    this.unsynced = stricter(this.#unsyncedBase, floor);
    this.stale = stricter(this.#staleBase, floor);
  }
}

function stricter(base: CompiledRule, breakGlass: CompiledRule | undefined): CompiledRule {
  return breakGlass !== undefined && breakGlass.rank >= base.rank ? breakGlass : base;
}
