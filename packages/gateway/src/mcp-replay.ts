import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The `_meta` key that marks a replayed tool result. */
export const REPLAYED_META_KEY = 'estop/replayed';

/** What is kept of a deduped call for its repeats: its result, when it was made and its id. */
interface KeptResult {
  result: CallToolResult;
  calledAt: string;
  callId: string;
}

/** What is kept of a completed write for its duplicates. */
export function keepToolResult(result: CallToolResult, calledAt: string, callId: string): KeptResult {
  return { result, calledAt, callId };
}

/**
 * A kept result as a duplicate gets it: marked `_meta['estop/replayed']` with the original
 * call's time and id, so that the agent (and whoever reads its transcript) can tell it did not run.
 */
export function replayToolResult(stored: unknown): CallToolResult {
  const kept = stored as Partial<KeptResult> | null;
  // Kept before results were marked: the result itself.
  const result = (
    kept !== null && typeof kept === 'object' && 'result' in kept ? kept.result : stored
  ) as CallToolResult;
  const replayed = { calledAt: kept?.calledAt ?? null, callId: kept?.callId ?? null };
  return { ...result, _meta: { ...result._meta, [REPLAYED_META_KEY]: replayed } };
}
