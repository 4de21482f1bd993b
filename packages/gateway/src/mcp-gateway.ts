import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EstopError, isEstopError } from '@estop/core';
import type { Guard } from '@estop/sdk';
import type { Caller, IdentityResolver } from './caller.js';
import type { GatewayConfig } from './gateway-config.js';
import type { InFlightCalls } from './in-flight-calls.js';
import { NodeStreamableHttpServerTransport } from './mcp-http-server-transport.js';
import { createMcpDedupe } from './mcp-dedupe.js';
import { createOriginCheck } from './mcp-origin-check.js';
import { writeMcpProblem } from './mcp-problem.js';
import { createMcpProxyServer, type McpProxyServer } from './mcp-proxy-server.js';
import { createRuleBook } from './rule-book.js';
import { createMcpUpstream, type McpLogger, type McpUpstream } from './mcp-upstream.js';

/** The MCP side of the gateway: every configured server, exposed at `/mcp/<name>`. */
export interface McpGateway {
  /** Serves one HTTP request (POST, GET or DELETE) for the server `server`. */
  handle(request: IncomingMessage, response: ServerResponse, server: string): Promise<void>;
  /** Ends every session and stops every upstream. */
  close(): Promise<void>;
}

/** What the MCP gateway is built from. */
export interface McpGatewayDependencies {
  config: GatewayConfig;
  guard: Guard;
  identity: IdentityResolver;
  inFlight: InFlightCalls;
  logger?: McpLogger | undefined;
}

interface Session {
  readonly server: string;
  readonly caller: Caller;
  /** The headers that identified the caller, asked again so that a revoked token ends its session. */
  readonly identifiedBy: IncomingHttpHeaders;
  readonly transport: NodeStreamableHttpServerTransport;
  readonly proxy: McpProxyServer;
  /** When the session last received a request, in milliseconds since the epoch. */
  seenAt: number;
}

/** A session with no request and no open stream for this long is closed. */
const IDLE_SESSION_MS = 30 * 60_000;

/**
 * How often each session's token is checked again. With the identity cache (at most 500 ms, 250
 * by default) this ends the sessions of a revoked token within a second.
 */
const REVALIDATE_MS = 250;

/** The `x-estop-*` headers of a request, which an unbound token needs to be resolved again. */
function callerHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name of ['x-estop-tenant', 'x-estop-agent', 'x-estop-run']) {
    if (headers[name] !== undefined) kept[name] = headers[name];
  }
  return kept;
}

function sameCaller(left: Caller, right: Caller): boolean {
  return left.tenant === right.tenant && left.agent === right.agent && left.run === right.run;
}

/**
 * Starts the MCP gateway: connects to each upstream in `config.mcp.servers` and serves each as
 * a Streamable HTTP MCP server with sessions. The caller is established from the request's
 * token when a session starts, and every later request of the session must carry a token that
 * resolves to the same caller. See `createMcpProxyServer` for what is enforced.
 *
 * @example
 * const mcp = await createMcpGateway({ config, guard, identity, inFlight });
 * http.createServer((request, response) => mcp.handle(request, response, 'mail'));
 */
export async function createMcpGateway(deps: McpGatewayDependencies): Promise<McpGateway> {
  const { config, guard, identity, inFlight, logger } = deps;
  const upstreams = new Map<string, McpUpstream>();
  for (const [name, upstream] of Object.entries(config.mcp.servers)) {
    upstreams.set(name, createMcpUpstream({ name, upstream, timeoutMs: config.timeout_ms, logger }));
  }
  await Promise.all([...upstreams.values()].map((upstream) => upstream.start()));
  const dedupe = createMcpDedupe(config.idempotency, logger);
  for (const [name, upstream] of upstreams) {
    if (!upstream.connected) continue;
    const tools = await upstream.listTools().catch(() => undefined);
    if (tools !== undefined) dedupe.announce(name, tools, config.mcp.servers[name]?.tools ?? {});
  }
  const rules = createRuleBook(guard);
  const checkOrigin = createOriginCheck(config.listen);
  const sessions = new Map<string, Session>();
  // Clients often go away without ending their session (DELETE): forget the idle ones.
  const sweeper = setInterval(() => {
    const idleSince = Date.now() - IDLE_SESSION_MS;
    for (const session of sessions.values()) {
      if (session.seenAt < idleSince && !session.transport.active) void session.proxy.server.close();
    }
  }, 60_000);
  sweeper.unref();
  // A revoked token ends its sessions, open streams included, not only its next request.
  const revalidator = setInterval(() => {
    for (const session of sessions.values()) {
      identity.resolve(session.identifiedBy).catch((error: unknown) => {
        if (isEstopError(error, 'unauthorized')) void session.proxy.server.close();
      });
    }
  }, REVALIDATE_MS);
  revalidator.unref();

  const startSession = async (
    request: IncomingMessage,
    response: ServerResponse,
    name: string,
    upstream: McpUpstream,
    caller: Caller,
  ) => {
    const proxy = createMcpProxyServer({
      upstream,
      tools: config.mcp.servers[name]?.tools ?? {},
      caller,
      guard,
      inFlight,
      rules: (id) => rules.find(id),
      dedupe,
      subscribedElsewhere: (uri) =>
        [...sessions.values()].some(
          (other) => other.server === name && other.proxy !== proxy && other.proxy.subscribes(uri),
        ),
      logger,
    });
    const transport: NodeStreamableHttpServerTransport = new NodeStreamableHttpServerTransport((sessionId) => {
      const identifiedBy = { authorization: request.headers.authorization, ...callerHeaders(request.headers) };
      sessions.set(sessionId, { server: name, caller, identifiedBy, transport, proxy, seenAt: Date.now() });
      logger?.info('mcp session started', {
        server: name,
        tenant: caller.tenant,
        agent: caller.agent,
        token: caller.name,
      });
    });
    // The agent went away: from one request (its connection closed) or from the session. The
    // server's closing calls this before it aborts the session's requests, so the proxy knows.
    transport.onabandon = (requestId) => proxy.abandon(requestId);
    transport.onclose = () => {
      proxy.dispose();
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await proxy.server.connect(transport);
    await transport.handleRequest(request, response);
    // A request that did not initialize a session (the transport answered it with an error)
    // leaves nothing behind.
    if (transport.sessionId === undefined) await proxy.server.close();
  };

  return {
    async handle(request, response, name) {
      const refused = checkOrigin(request.headers);
      if (refused !== undefined) {
        request.resume();
        const body = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: refused }, id: null });
        response.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        response.end(body);
        return;
      }
      try {
        const upstream = upstreams.get(name);
        if (upstream === undefined) {
          throw new EstopError({ code: 'not_found', message: `no MCP server named "${name}" is configured` });
        }
        const caller = await identity.resolve(request.headers);
        const sessionId = request.headers['mcp-session-id'];
        if (typeof sessionId !== 'string') {
          await startSession(request, response, name, upstream, caller);
          return;
        }
        const session = sessions.get(sessionId);
        if (session === undefined || session.server !== name) {
          throw new EstopError({ code: 'not_found', message: 'no such MCP session; start a new one' });
        }
        if (!sameCaller(session.caller, caller)) {
          throw new EstopError({
            code: 'forbidden',
            message: 'this token does not belong to the caller that started the session',
          });
        }
        session.seenAt = Date.now();
        await session.transport.handleRequest(request, response);
      } catch (error) {
        if (!isEstopError(error)) logger?.error('mcp request failed', { server: name, error: String(error) });
        writeMcpProblem(response, error);
      }
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(revalidator);
      rules.close();
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((session) => session.proxy.server.close().catch(() => undefined)));
      await Promise.all([...upstreams.values()].map((upstream) => upstream.close()));
    },
  };
}
