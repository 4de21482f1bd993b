import type { Call, Decision } from '@estop/core';
import type { Guard, GuardChange } from '@estop/sdk';
import type { InFlightCall, InFlightCalls } from './in-flight-calls.js';

/** In-flight calls that can also stop listening to the guard. */
export interface TrackedInFlightCalls extends InFlightCalls {
  /** Stops following the guard's changes; calls already started keep their signals. */
  close(): void;
}

class TrackedCall implements InFlightCall {
  readonly call: Call;
  // Made only when asked for: most calls end without anyone needing an AbortSignal.
  #controller: AbortController | undefined;
  #listener: ((decision: Decision) => void) | undefined;
  readonly #finished: () => void;
  #stoppedBy: Decision | undefined;
  #ended = false;

  constructor(call: Call, finished: (entry: TrackedCall) => void, settle: () => void) {
    this.call = call;
    this.#finished = () => {
      finished(this);
      settle();
    };
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stoppedBy !== undefined) this.#controller.abort(this.#stoppedBy);
    }
    return this.#controller.signal;
  }

  get stoppedBy(): Decision | undefined {
    return this.#stoppedBy;
  }

  onStop(listener: (decision: Decision) => void): void {
    const before = this.#listener;
    this.#listener =
      before === undefined
        ? listener
        : (decision) => {
            before(decision);
            listener(decision);
          };
  }

  stop(decision: Decision): void {
    if (this.#ended || this.#stoppedBy !== undefined) return;
    this.#stoppedBy = decision;
    this.#controller?.abort(decision);
    this.#listener?.(decision);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#finished();
  }
}

/**
 * Creates the registry of calls the gateway is forwarding. Each call is counted by the guard
 * (`guard.track`) until it ends, so acknowledgements carry the count; after every state change,
 * a call that a rule with `cancelInFlight` now covers is aborted and told which decision stopped it.
 *
 * @example
 * const inFlight = createInFlightCalls(guard);
 * const running = inFlight.start({ tenant: 'acme', tool: 'email.send', effect: 'write' });
 * running.onStop(() => upstreamRequest.destroy());
 * // ... when the upstream answered:
 * running.end();
 */
export function createInFlightCalls(guard: Guard): TrackedInFlightCalls {
  const calls = new Set<TrackedCall>();
  const remove = (entry: TrackedCall): void => {
    calls.delete(entry);
  };

  const stopCovered = ({ rules }: GuardChange): void => {
    if (calls.size === 0) return;
    let cancelling: Set<string> | undefined;
    for (const rule of rules) {
      if (rule.cancelInFlight) (cancelling ??= new Set()).add(rule.id);
    }
    if (cancelling === undefined) return;
    for (const entry of [...calls]) {
      const decision = guard.decide(entry.call);
      if (decision.outcome !== 'allow' && decision.ruleId !== undefined && cancelling.has(decision.ruleId)) {
        entry.stop(decision);
      }
    }
  };
  const unsubscribe = guard.onChange(stopCovered);

  return {
    start(call: Call): InFlightCall {
      let settle!: () => void;
      const finished = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const entry = new TrackedCall(call, remove, settle);
      calls.add(entry);
      void guard.track(finished);
      return entry;
    },
    get count(): number {
      return calls.size;
    },
    close: unsubscribe,
  };
}
