import type { Effect } from '@estop/core';
import { mcpToolEffect as toolEffect } from '@estop/sdk/mcp';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * The effect of an upstream tool: the configuration's word for it if it has one, else `read`
 * when the tool declares `readOnlyHint: true`, else `write` (a tool of unknown effect is a write).
 */
export function mcpToolEffect(
  configured: Readonly<Record<string, Effect>>,
  name: string,
  tool: Tool | undefined,
): Effect {
  return toolEffect(configured[name], tool);
}

/**
 * The name decisions use for an MCP tool: `<server>.<tool>`, e.g. `mail.send_email`, so that a
 * rule on `mail.*` covers every tool of the `mail` server.
 */
export function mcpToolName(server: string, tool: string): string {
  return `${server}.${tool}`;
}
