import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * A tool result with `isError`, carried out of a governed call as a failure so that its
 * idempotency key is released (a retry runs again); unwrapped into the result it was.
 */
export class ToolErrorResult extends Error {
  constructor(readonly result: CallToolResult) {
    super('the tool answered with an error result');
    this.name = 'ToolErrorResult';
  }
}
