import type { Readable, Writable } from 'node:stream';
import { EstopError } from '@estop/core';
import type { Guard } from '@estop/sdk';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Caller } from './caller.js';
import type { GatewayConfig } from './gateway-config.js';
import type { InFlightCalls } from './in-flight-calls.js';
import { createMcpDedupe } from './mcp-dedupe.js';
import { createMcpProxyServer } from './mcp-proxy-server.js';
import { createRuleBook } from './rule-book.js';
import { createMcpUpstream, type McpLogger } from './mcp-upstream.js';

/** What the stdio gateway is built from. */
export interface StdioGatewayDependencies {
  config: GatewayConfig;
  guard: Guard;
  inFlight: InFlightCalls;
  /** Who is calling: fixed, from flags or the config's `stdio` block. */
  caller: Caller;
  /** The name of the one upstream in `config.mcp.servers` to front. */
  server: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  logger?: McpLogger | undefined;
}

/**
 * Fronts one upstream MCP server over stdio, for desktop MCP clients that launch their servers
 * (`estop gateway --stdio --server NAME`): the same enforcement as the HTTP gateway, for a caller
 * fixed at start. Resolves when `input` ends, after the writes in flight have run to their end
 * (reads are cancelled) and the upstream has been stopped.
 *
 * @throws EstopError `config_invalid` when `server` is not configured.
 */
export async function runStdioGateway(deps: StdioGatewayDependencies): Promise<void> {
  const { config, guard, inFlight, caller, server, input, output, logger } = deps;
  const upstreamConfig = config.mcp.servers[server];
  if (upstreamConfig === undefined) {
    throw new EstopError({ code: 'config_invalid', message: `no MCP server named "${server}" is configured` });
  }
  const ended = new Promise<void>((resolve) => {
    input.once('end', resolve);
    input.once('close', resolve);
  });
  const upstream = createMcpUpstream({ name: server, upstream: upstreamConfig, timeoutMs: config.timeout_ms, logger });
  await upstream.start();
  const rules = createRuleBook(guard);
  const dedupe = createMcpDedupe(config.idempotency, logger);
  if (upstream.connected) dedupe.announce(server, await upstream.listTools().catch(() => []), upstreamConfig.tools);
  const proxy = createMcpProxyServer({
    dedupe,
    upstream,
    tools: upstreamConfig.tools,
    caller,
    guard,
    inFlight,
    rules: (id) => rules.find(id),
    logger,
  });
  const transport = new StdioServerTransport(input as Readable, output as Writable);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  await proxy.server.connect(transport);
  await Promise.race([ended, closed]);
  // The client went away: its reads are cancelled upstream; a write already sent runs to its end
  // (its result kept for a retry) before the upstream is stopped.
  proxy.dispose();
  rules.close();
  await proxy.server.close().catch(() => undefined);
  await proxy.settled();
  await upstream.close();
}
