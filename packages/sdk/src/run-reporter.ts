import { isEstopError, type EstopError, type RunEnd, type RunHeartbeat, type RunStart } from '@estop/core';
import { asEstopError } from './as-estop-error.js';
import type { ControlPlaneClient } from './control-plane-client.js';

/** Changes other than a stop are reported at most this often, so a busy run is not a flood. */
const MIN_CHANGE_INTERVAL_MS = 200;

/**
 * Tells the control plane about one run: registers it, sends a heartbeat every `heartbeatMs`
 * and whenever something changes, and reports its end. One request is in flight at a time
 * and each carries the latest state, so a burst of changes costs one request. Failures go to
 * `onError` and are retried with the next heartbeat; none reaches the run.
 */
export class RunReporter {
  readonly #client: ControlPlaneClient;
  readonly #start: RunStart;
  readonly #state: () => RunHeartbeat;
  readonly #onError: (error: EstopError) => void;
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setInterval>;
  #registered = false;
  #dirty = true;
  #end: RunEnd | undefined;
  #ended = false;
  #sending: Promise<void> | undefined;
  #lastSentAt = -Infinity;
  #pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    client: ControlPlaneClient,
    start: RunStart,
    state: () => RunHeartbeat,
    onError: (error: EstopError) => void,
  ) {
    this.#client = client;
    this.#start = start;
    this.#state = state;
    this.#onError = onError;
    this.#timer = setInterval(() => {
      this.#dirty = true;
      void this.#flush();
    }, start.heartbeatMs);
    this.#timer.unref();
    void this.#flush();
  }

  /**
   * Something changed: report it soon. `urgent` (the run stopped) goes out at once; other
   * changes (a call started or finished) at most every 200 ms.
   */
  changed(urgent = false): void {
    this.#dirty = true;
    const wait = this.#lastSentAt + MIN_CHANGE_INTERVAL_MS - Date.now();
    if (urgent || wait <= 0) {
      void this.#flush();
      return;
    }
    if (this.#pending !== undefined) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      void this.#flush();
    }, wait);
    this.#pending.unref();
  }

  /**
   * Reports the end once. Resolves true once it is sent, false when it failed (the failure went
   * to `onError`, and the heartbeat timer keeps retrying until it is sent or `close()`).
   */
  async end(end: RunEnd): Promise<boolean> {
    this.#end ??= end;
    // A request already under way may finish without the end (or fail): one more try then.
    for (let attempt = 0; attempt < 2 && !this.#ended && !this.#controller.signal.aborted; attempt++) {
      await this.#flush();
    }
    return this.#ended;
  }

  /** Stops reporting (the guard is closing). */
  close(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    this.#controller.abort();
  }

  #flush(): Promise<void> {
    this.#sending ??= this.#send().finally(() => {
      this.#sending = undefined;
    });
    return this.#sending;
  }

  async #send(): Promise<void> {
    const signal = this.#controller.signal;
    let reRegistered = false;
    try {
      while (!this.#ended && !signal.aborted && (this.#dirty || this.#end !== undefined)) {
        if (!this.#registered) {
          await this.#client.startRun(this.#start, signal);
          this.#registered = true;
        }
        try {
          if (this.#end !== undefined) {
            await this.#client.endRun(this.#start.id, this.#end, signal);
            this.#ended = true;
            clearInterval(this.#timer);
            clearTimeout(this.#pending);
            return;
          }
          this.#dirty = false;
          this.#lastSentAt = Date.now();
          await this.#client.runHeartbeat(this.#start.id, this.#state(), signal);
        } catch (error) {
          // The control plane has forgotten the run (restarted, or another replica): register
          // again, once per attempt.
          if (isEstopError(error, 'not_found') && !reRegistered) {
            reRegistered = true;
            this.#registered = false;
            this.#dirty = true;
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      this.#dirty = true;
      if (!signal.aborted) this.#onError(asEstopError(error, 'unavailable', `reporting run ${this.#start.id} failed`));
    }
  }
}
