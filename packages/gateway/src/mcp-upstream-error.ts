import { EstopError } from '@estop/core';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * An upstream's JSON-RPC error, rethrown to the agent with the upstream's own code, message and
 * data. (Rethrowing the client's McpError would prefix its message a second time.)
 */
export class UpstreamProtocolError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(error: McpError) {
    super(error.message.replace(`MCP error ${error.code}: `, ''));
    this.name = 'UpstreamProtocolError';
    this.code = error.code;
    this.data = error.data;
  }
}

/**
 * Translates what an upstream request threw into what the agent is told: protocol errors pass
 * through as they are; a lost connection (`connectionLost`) or a timeout becomes an EstopError
 * naming the server.
 */
export function upstreamFailure(server: string, error: unknown, connectionLost: boolean): Error {
  if (connectionLost) {
    return new EstopError({
      code: 'unavailable',
      message: `estop gateway: MCP server "${server}" went away during the request; it is being restarted`,
      cause: error,
    });
  }
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return new EstopError({
        code: 'timeout',
        message: `estop gateway: MCP server "${server}" did not answer in time`,
        cause: error,
      });
    }
    return new UpstreamProtocolError(error);
  }
  if (error instanceof EstopError) return error;
  return new EstopError({
    code: 'unavailable',
    message: `estop gateway: MCP server "${server}" failed: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
