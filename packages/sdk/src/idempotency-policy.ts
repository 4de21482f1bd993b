import { compileToolGlob, matchTool, type IdempotencyStore, type ToolMatcher } from '@estop/core';

/** How a guard dedupes writes: see `GuardOptions.idempotency`. */
export interface IdempotencyOptions {
  /** How long a completed write suppresses its repeats, in milliseconds. Default 10 minutes. */
  windowMs?: number | undefined;
  /**
   * Per tool name or glob (`mail.*`): its own window in milliseconds, or `false` for no
   * idempotency. An exact name wins over globs; among globs, the first listed that matches.
   */
  tools?: Record<string, number | false> | undefined;
  /**
   * How long a repeat waits, in all, for an identical write still running before it gives up
   * without running (an EstopError `conflict`): that write may have died with its process, and
   * its key is held until its window ends. Default 2 minutes.
   */
  waitMs?: number | undefined;
  /**
   * Keep the keys in this store, shared by every enforcer of the deployment (e.g.
   * `createRedisIdempotencyStore({ url })` from `@estop/store-redis`), instead of asking the
   * control plane for each write: duplicates are suppressed among the enforcers that share it.
   * The control plane still hears of each write, duplicate and failure, in batches, for its
   * sentinels and audit log. A store that cannot be reached means the write is not run.
   */
  store?: IdempotencyStore | undefined;
}

const DEFAULT_WINDOW_MS = 10 * 60_000;
const DEFAULT_WAIT_MS = 2 * 60_000;
const MAX_WINDOW_MS = 7 * 24 * 60 * 60_000;

/** The window per tool, resolved once from the options. */
export class IdempotencyPolicy {
  /** How long a repeat waits in all for an identical write in flight. */
  readonly waitMs: number;
  /** The store the guard keeps keys in itself; undefined: the control plane keeps them. */
  readonly store: IdempotencyStore | undefined;
  readonly #windowMs: number;
  readonly #exact = new Map<string, number | false>();
  readonly #globs: { matcher: ToolMatcher; window: number | false; pattern: string }[] = [];

  /** @throws nothing; problems are pushed to `problems`. */
  constructor(options: IdempotencyOptions | undefined, problems: string[]) {
    this.#windowMs = checkWindow(options?.windowMs ?? DEFAULT_WINDOW_MS, 'idempotency.windowMs', problems);
    this.store = options?.store;
    const waitMs = options?.waitMs ?? DEFAULT_WAIT_MS;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_WINDOW_MS) {
      problems.push('idempotency.waitMs must be a whole number of milliseconds from 0 to 7 days');
    }
    this.waitMs = Number.isInteger(waitMs) && waitMs >= 0 && waitMs <= MAX_WINDOW_MS ? waitMs : DEFAULT_WAIT_MS;
    for (const [pattern, window] of Object.entries(options?.tools ?? {})) {
      const checked = window === false ? false : checkWindow(window, `idempotency.tools["${pattern}"]`, problems);
      if (/[*?]/.test(pattern)) this.#globs.push({ matcher: compileToolGlob(pattern), window: checked, pattern });
      else this.#exact.set(pattern, checked);
    }
  }

  /** The window for `tool`, or false when its writes are not deduped. */
  windowFor(tool: string): number | false {
    return this.ruleFor(tool).window;
  }

  /** The window for `tool` and the `tools` entry that sets it (none: the default window). */
  ruleFor(tool: string): { window: number | false; pattern?: string | undefined } {
    const exact = this.#exact.get(tool);
    if (exact !== undefined) return { window: exact, pattern: tool };
    for (const glob of this.#globs) {
      if (matchTool(glob.matcher, tool)) return { window: glob.window, pattern: glob.pattern };
    }
    return { window: this.#windowMs };
  }
}

function checkWindow(value: unknown, field: string, problems: string[]): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_WINDOW_MS) {
    problems.push(`${field} must be a whole number of milliseconds from 1 to 7 days, or false`);
    return DEFAULT_WINDOW_MS;
  }
  return value;
}
