import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DraftedCall } from '../drafted-call.js';

/**
 * The MCP tool result for a write kept as a draft: not an error — the call did what estop asks
 * of it — with text saying it was not executed and naming the draft. `structuredContent` carries
 * `{drafted, draftId, tool, executed: false}` unless the tool declares an output schema, which a
 * draft cannot satisfy; then the result is marked `isError` so clients that validate outputs
 * accept it.
 */
export function draftedToolResult(drafted: DraftedCall, hasOutputSchema: boolean): CallToolResult {
  const content: CallToolResult['content'] = [{ type: 'text', text: `estop: ${drafted.message}` }];
  if (hasOutputSchema) return { content, isError: true };
  return {
    content,
    structuredContent: { drafted: true, draftId: drafted.draftId, tool: drafted.tool, executed: false },
  };
}
