import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Effect } from '@estop/core';

/**
 * The effect of an MCP tool: the configured one if there is one, else `read` when the server
 * declares `readOnlyHint: true`, else `write` (a tool of unknown effect is a write).
 */
export function mcpToolEffect(configured: Effect | undefined, tool: Tool | undefined): Effect {
  if (configured !== undefined) return configured;
  return tool?.annotations?.readOnlyHint === true ? 'read' : 'write';
}
