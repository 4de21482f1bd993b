import { isEstopError } from '@estop/core';
import { CallDeniedError } from '@estop/sdk';
import { ToolErrorResult } from '@estop/sdk/mcp';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { InFlightCall } from './in-flight-calls.js';
import { cancelledResult, notRunResult, refusalResult, type RuleLookup } from './mcp-refusal.js';

/**
 * What an agent is told of a `tools/call` that failed: the tool's own error result, a refusal, a
 * cancellation by a rule, or (for a control-plane failure before anything was forwarded) that it
 * did not run. Anything else is thrown as it is.
 */
export function failedCallResult(
  error: unknown,
  call: { tool: string; flight: InFlightCall | undefined; readSignal: AbortSignal },
  rules: RuleLookup,
): CallToolResult {
  if (error instanceof ToolErrorResult) return error.result;
  if (error instanceof CallDeniedError) return refusalResult(call.tool, error.decision, rules);
  if (call.flight?.signal.aborted === true) return cancelledResult(call.tool, call.flight.stoppedBy, rules);
  if (isEstopError(error) && call.flight === undefined && !call.readSignal.aborted) return notRunResult(error);
  throw error;
}
