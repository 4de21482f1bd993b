import {
  EstopError,
  isEstopError,
  toWellFormedText,
  type BlockReport,
  type Call,
  type Clock,
  type Decision,
} from '@estop/core';

type BlockCount = BlockReport['counts'][number];

/** The most counts one report may carry (`BlockReportSchema`). */
const MAX_COUNTS_PER_REPORT = 10_000;

/** Answers that say the report itself is refused (a count naming a tenant or rule the token may not report on). */
const REFUSED: ReadonlySet<string> = new Set(['forbidden', 'invalid_request']);

/**
 * Counts the calls an enforcer refuses, per (rule, tool, tenant, mode, source), and sends the
 * counts every `intervalMs` and on close, so the control plane audits one `calls-blocked`
 * entry per report rather than one per refusal. Counting is a map increment; sending happens
 * off the call path. Counts that could not be sent are kept for the next report.
 */
export class BlockCounter {
  readonly #counts = new Map<string, BlockCount>();
  readonly #clock: Clock;
  readonly #send: (report: BlockReport) => Promise<void>;
  readonly #onError: (error: EstopError) => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #from: number | undefined;
  #sending: Promise<void> | undefined;

  constructor(options: {
    intervalMs: number;
    clock: Clock;
    send: (report: BlockReport) => Promise<void>;
    onError: (error: EstopError) => void;
  }) {
    this.#clock = options.clock;
    this.#send = options.send;
    this.#onError = options.onError;
    this.#timer = setInterval(() => void this.flush(), options.intervalMs);
    this.#timer.unref();
  }

  /**
   * Counts one refused call. Its tool and tenant are counted as the control plane can take them:
   * a lone surrogate or NUL (which it refuses) becomes U+FFFD, so that one call named so never
   * keeps every other count from being reported.
   */
  count(given: Call, decision: Decision, effect: 'read' | 'write'): void {
    const call = { tool: toWellFormedText(given.tool), tenant: toWellFormedText(given.tenant) };
    const key = `${decision.ruleId ?? ''}\u0000${call.tool}\u0000${call.tenant}\u0000${decision.mode ?? ''}\u0000${decision.source ?? ''}\u0000${effect}`;
    const entry = this.#counts.get(key);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    this.#from ??= this.#clock.now();
    this.#counts.set(key, {
      tool: call.tool,
      tenant: call.tenant,
      ruleId: decision.ruleId,
      mode: decision.mode,
      source: decision.source,
      effect,
      count: 1,
    });
  }

  /** Sends what has been counted since the last report; never rejects. */
  flush(): Promise<void> {
    this.#sending ??= this.#sendCounts().finally(() => {
      this.#sending = undefined;
    });
    return this.#sending;
  }

  /** Stops the timer and sends the last counts. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sending;
    await this.flush();
  }

  async #sendCounts(): Promise<void> {
    if (this.#counts.size === 0 || this.#from === undefined) return;
    const counts = [...this.#counts.values()];
    const from = new Date(this.#from).toISOString();
    const to = new Date(Math.max(this.#clock.now(), this.#from)).toISOString();
    this.#counts.clear();
    this.#from = undefined;
    for (let start = 0; start < counts.length; start += MAX_COUNTS_PER_REPORT) {
      const chunk = counts.slice(start, start + MAX_COUNTS_PER_REPORT);
      try {
        await this.#send({ from, to, counts: chunk });
      } catch (error) {
        if (isEstopError(error) && REFUSED.has(error.code)) {
          // Refused, not lost: sending these again would be refused again and hold back every later count.
          this.#onError(
            new EstopError({
              code: error.code,
              message: `the control plane refused ${chunk.length} blocked-call counts; dropped: ${error.message}`,
              cause: error,
            }),
          );
          continue;
        }
        this.#keep(counts.slice(start), Date.parse(from));
        this.#onError(
          new EstopError({
            code: 'unavailable',
            message: `could not report ${chunk.length} blocked-call counts; kept for the next report: ${(error as Error).message}`,
            cause: error,
          }),
        );
        return;
      }
    }
  }

  /** Puts unsent counts back, merged with any counted meanwhile. */
  #keep(counts: readonly BlockCount[], from: number): void {
    this.#from = Math.min(this.#from ?? from, from);
    for (const count of counts) {
      const key = `${count.ruleId ?? ''}\u0000${count.tool}\u0000${count.tenant ?? ''}\u0000${count.mode ?? ''}\u0000${count.source ?? ''}\u0000${count.effect ?? ''}`;
      const entry = this.#counts.get(key);
      if (entry === undefined) this.#counts.set(key, count);
      else entry.count += count.count;
    }
  }
}
