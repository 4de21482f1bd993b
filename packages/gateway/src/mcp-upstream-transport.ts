import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isStdioUpstream, type HttpUpstream, type StdioUpstream } from './gateway-config.js';

/**
 * A new client transport to an upstream MCP server. A stdio upstream is launched with the
 * configured environment laid over a minimal one (PATH, HOME and the like, never the gateway's
 * own secrets such as ESTOP_TOKEN); its stderr goes to the gateway's stderr.
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
  return new StreamableHTTPClientTransport(new URL(upstream.url), { requestInit: { headers: upstream.headers } });
}
