import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isStdioUpstream, type HttpUpstream, type StdioUpstream } from './gateway-config.js';
import { NodeStreamableHttpClientTransport } from './mcp-http-client-transport.js';

/**
 * A new client transport to an upstream MCP server. A stdio upstream is launched with the
 * configured environment laid over a minimal one (PATH, HOME and the like, never the gateway's
 * own secrets such as ESTOP_TOKEN); each line of its stderr goes to `stderrLine` when given (the
 * gateway logs it tagged with the server's name), else to the gateway's stderr. An HTTP upstream
 * is reached with the configured headers (its credentials).
 */
export function createUpstreamTransport(
  upstream: StdioUpstream | HttpUpstream,
  stderrLine?: (line: string) => void,
): Transport {
  if (isStdioUpstream(upstream)) {
    const transport = new StdioClientTransport({
      command: upstream.command,
      args: upstream.args,
      env: { ...getDefaultEnvironment(), ...upstream.env },
      ...(upstream.cwd === undefined ? {} : { cwd: upstream.cwd }),
      stderr: stderrLine === undefined ? 'inherit' : 'pipe',
    });
    // With `pipe`, the transport's stderr is a PassThrough that exists before the process starts.
    const stderr = transport.stderr as Readable | null;
    if (stderrLine !== undefined && stderr !== null) {
      createInterface({ input: stderr, crlfDelay: Infinity }).on('line', stderrLine);
    }
    return transport;
  }
  return new NodeStreamableHttpClientTransport(new URL(upstream.url), upstream.headers);
}
