import type { Call, Decision } from '@estop/core';

/** A tool call the gateway is forwarding right now. */
export interface InFlightCall {
  readonly call: Call;
  /** Aborted when a rule with `cancelInFlight` comes to cover the call. */
  readonly signal: AbortSignal;
  /** Set when the call was aborted by a rule: the decision that stopped it. */
  readonly stoppedBy: Decision | undefined;
  /** Calls `listener` when a rule stops the call (as the signal aborts), without making a signal. */
  onStop(listener: (decision: Decision) => void): void;
  /** Marks the call finished; call exactly once. */
  end(): void;
}

/**
 * Calls in flight through the gateway, shared by its MCP and HTTP sides. After every state
 * change, each call that a `cancelInFlight` rule now denies is aborted; the count is what the
 * gateway reports with each acknowledgement.
 */
export interface InFlightCalls {
  start(call: Call): InFlightCall;
  readonly count: number;
}
