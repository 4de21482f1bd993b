import type { BudgetName } from './stop-reason.js';

/** Limits on one run; an absent limit is no limit. */
export interface RunBudgets {
  /** Agent-loop steps (`run.step()`). */
  maxSteps?: number | undefined;
  /** Tool calls started through `run.tool()`. */
  maxToolCalls?: number | undefined;
  /** Wall-clock seconds since the run started. */
  maxSeconds?: number | undefined;
  /** Spend in US dollars: charges plus the estimates of calls still running. */
  maxUsd?: number | undefined;
}

/** Budget held for one call between `reserve` and `commit` or `release`. */
export interface Reservation {
  readonly toolCalls: number;
  readonly microUsd: number;
}

/** What a run has used so far. */
export interface BudgetUsage {
  steps: number;
  toolCalls: number;
  /** Committed spend, in US dollars. */
  spentUsd: number;
  /** Spend held by calls still running, in US dollars. */
  reservedUsd: number;
}

/** Micro-dollars per dollar: money is counted in whole micro-dollars so sums never drift. */
export const MICRO_USD_PER_USD = 1_000_000;

/** Dollars as whole micro-dollars, rounded to the nearest; negative or non-finite amounts are refused. */
export function toMicroUsd(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0)
    throw new RangeError(`a cost must be a non-negative number of dollars, got ${usd}`);
  return Math.round(usd * MICRO_USD_PER_USD);
}

/**
 * The arithmetic of a run's budgets. A call reserves its tool call and its estimated cost
 * before it runs; the reservation counts against the limits until it is committed (turned
 * into spend) or released, so calls started in parallel can never together pass a limit.
 * Pure and synchronous: the SDK owns the clock and the run.
 *
 * @example
 * const budget = new RunBudget({ maxUsd: 1 });
 * const held = budget.reserve({ usd: 0.4 });
 * if (typeof held === 'string') stop(`budget_exceeded:${held}`);
 * else budget.commit(held, 0.35);
 */
export class RunBudget {
  readonly #maxSteps: number;
  readonly #maxToolCalls: number;
  readonly #maxMs: number;
  readonly #maxMicroUsd: number;
  #steps = 0;
  #toolCalls = 0;
  #reservedToolCalls = 0;
  #spentMicroUsd = 0;
  #reservedMicroUsd = 0;

  constructor(budgets: RunBudgets = {}) {
    this.#maxSteps = budgets.maxSteps ?? Infinity;
    this.#maxToolCalls = budgets.maxToolCalls ?? Infinity;
    this.#maxMs = budgets.maxSeconds === undefined ? Infinity : budgets.maxSeconds * 1000;
    this.#maxMicroUsd = budgets.maxUsd === undefined ? Infinity : toMicroUsd(budgets.maxUsd);
  }

  /**
   * Holds one tool call and `usd` (the call's estimated cost, default 0) against the limits.
   * Returns the reservation, or the name of the budget it would exceed (nothing is held then).
   */
  reserve(estimate: { usd?: number | undefined } = {}): Reservation | BudgetName {
    const microUsd = estimate.usd === undefined ? 0 : toMicroUsd(estimate.usd);
    if (this.#toolCalls + this.#reservedToolCalls + 1 > this.#maxToolCalls) return 'max_tool_calls';
    if (this.#spentMicroUsd + this.#reservedMicroUsd + microUsd > this.#maxMicroUsd) return 'max_usd';
    this.#reservedToolCalls += 1;
    this.#reservedMicroUsd += microUsd;
    return { toolCalls: 1, microUsd };
  }

  /**
   * Turns a reservation into use: the tool call counts, and the spend is `actualUsd` when
   * given, the estimate otherwise. Returns `max_usd` when the actual cost took the spend past
   * the limit (the money is spent either way), undefined otherwise.
   */
  commit(reservation: Reservation, actualUsd?: number): BudgetName | undefined {
    this.release(reservation);
    this.#toolCalls += reservation.toolCalls;
    this.#spentMicroUsd += actualUsd === undefined ? reservation.microUsd : toMicroUsd(actualUsd);
    return this.#spentMicroUsd + this.#reservedMicroUsd > this.#maxMicroUsd ? 'max_usd' : undefined;
  }

  /** Gives a reservation back unused: the call did not run. */
  release(reservation: Reservation): void {
    this.#reservedToolCalls -= reservation.toolCalls;
    this.#reservedMicroUsd -= reservation.microUsd;
  }

  /**
   * Records spend that was not reserved (a model call, say). Returns `max_usd` when the spend
   * is now past the limit, undefined otherwise.
   */
  charge(usd: number): BudgetName | undefined {
    this.#spentMicroUsd += toMicroUsd(usd);
    return this.#spentMicroUsd + this.#reservedMicroUsd > this.#maxMicroUsd ? 'max_usd' : undefined;
  }

  /**
   * Counts one step of the agent loop. Returns `max_steps`, without counting it, when the
   * step would be one more than allowed.
   */
  step(): BudgetName | undefined {
    if (this.#steps + 1 > this.#maxSteps) return 'max_steps';
    this.#steps += 1;
    return undefined;
  }

  /** `max_seconds` once `elapsedMs` has reached the time budget, undefined before. */
  checkElapsed(elapsedMs: number): BudgetName | undefined {
    return elapsedMs >= this.#maxMs ? 'max_seconds' : undefined;
  }

  /** Milliseconds of the time budget, or Infinity when there is none. */
  get maxMs(): number {
    return this.#maxMs;
  }

  /** What has been used and held so far. */
  usage(): BudgetUsage {
    return {
      steps: this.#steps,
      toolCalls: this.#toolCalls,
      spentUsd: this.#spentMicroUsd / MICRO_USD_PER_USD,
      reservedUsd: this.#reservedMicroUsd / MICRO_USD_PER_USD,
    };
  }
}
