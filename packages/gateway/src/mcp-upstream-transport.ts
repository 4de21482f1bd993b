import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isStdioUpstream, type HttpUpstream, type StdioUpstream } from './gateway-config.js';
import { NodeStreamableHttpClientTransport } from './mcp-http-client-transport.js';

/**
 * A new client transport to an upstream MCP server. A stdio upstream is launched with the
 * configured environment laid over a minimal one (PATH, HOME and the like, never the gateway's
 * own secrets such as ESTOP_TOKEN); its stderr goes to the gateway's stderr. An HTTP upstream is
 * reached with the configured headers (its credentials).
 */
export function createUpstreamTransport(upstream: StdioUpstream | HttpUpstream): Transport {
  if (isStdioUpstream(upstream)) {
    return new StdioClientTransport({
      command: upstream.command,
      args: upstream.args,
      env: { ...getDefaultEnvironment(), ...upstream.env },
      ...(upstream.cwd === undefined ? {} : { cwd: upstream.cwd }),
      stderr: 'inherit',
    });
  }
  return new NodeStreamableHttpClientTransport(new URL(upstream.url), upstream.headers);
}
