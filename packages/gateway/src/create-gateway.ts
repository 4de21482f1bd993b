import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { clientErrorAnswer, EstopError, type Effect, type IdempotencyStore } from '@estop/core';
import { createGuard, type Guard } from '@estop/sdk';
import type { IdentityResolver } from './caller.js';
import type { GatewayConfig } from './gateway-config.js';
import type { GatewayLogger } from './gateway-logger.js';
import { createHttpProxy, routeEffect } from './http-proxy.js';
import { createIdentityResolver } from './identity.js';
import { createMcpGateway, type McpGateway } from './mcp-gateway.js';
import { createInFlightCalls } from './in-flight.js';
import type { InFlightCalls } from './in-flight-calls.js';
import { sendProblem } from './send-problem.js';

/** What a gateway process is made of; everything but the config and token has a default. */
export interface GatewayOptions {
  config: GatewayConfig;
  /** The gateway's own `enforcer` token (`ESTOP_TOKEN`), for following the control plane's state. */
  token: string;
  /**
   * Where the gateway keeps idempotency keys itself: the store `idempotency.redis` names, opened
   * (and closed after the gateway) by the caller. Absent: the control plane keeps them.
   */
  keys?: IdempotencyStore | undefined;
  /** Who the callers are; by default their tokens are checked with the control plane. */
  identity?: IdentityResolver | undefined;
  /** The enforcement point; by default a guard of kind `gateway` on the config's control plane. */
  guard?: Guard | undefined;
  logger?: GatewayLogger | undefined;
}

/** A running tool gateway. */
export interface Gateway {
  readonly guard: Guard;
  readonly inFlight: InFlightCalls;
  /** Starts listening where the config says and resolves to the base URL, e.g. `http://127.0.0.1:7080`. */
  listen(): Promise<string>;
  /** Stops accepting requests, cuts open connections, stops the upstreams and the guard. */
  close(): Promise<void>;
}

/** Every tool the config knows an effect for: HTTP routes by name, MCP tools as `server.tool`. */
export function configuredToolEffects(config: GatewayConfig): Record<string, Effect> {
  const tools: Record<string, Effect> = {};
  for (const [name, route] of Object.entries(config.http.routes)) tools[name] = routeEffect(route);
  for (const [server, upstream] of Object.entries(config.mcp.servers)) {
    for (const [tool, effect] of Object.entries(upstream.tools)) tools[`${server}.${tool}`] = effect;
  }
  return tools;
}

/**
 * The gateway's enforcement point: a guard of kind `gateway` on the config's control plane that
 * knows the effects of every configured tool. `estop gateway --stdio` uses it directly.
 */
export function createGatewayGuard(options: {
  config: GatewayConfig;
  token: string;
  name?: string | undefined;
  logger?: GatewayLogger | undefined;
  /** Where the guard keeps idempotency keys itself (`idempotency.redis`, opened by the caller); absent: the control plane keeps them. */
  keys?: IdempotencyStore | undefined;
}): Guard {
  const { config, logger } = options;
  // Set by an error, cleared by the next version applied: the log then says the trouble is over.
  let troubled = false;
  const guard = createGuard({
    url: config.control_plane.url,
    token: options.token,
    name: (options.name ?? `gateway@${hostname()}`).slice(0, 200),
    kind: 'gateway',
    tools: configuredToolEffects(config),
    idempotency: {
      windowMs: config.idempotency.window_ms,
      tools: config.idempotency.tools,
      waitMs: config.idempotency.wait_ms,
      store: options.keys,
    },
    approvalTimeoutMs: config.approval_timeout_ms,
    onError:
      logger === undefined
        ? undefined
        : (error) => {
            troubled = true;
            logger.error(error.message, { code: error.code });
          },
  });
  guard.onChange((change) => {
    if (!troubled) return;
    troubled = false;
    logger?.info(`in step with the control plane again: state version ${change.version} applied`, {
      version: change.version,
    });
  });
  return guard;
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function routeOf(url: string): { kind: 'tools' | 'mcp' | 'health' | 'none'; name: string } {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (path.startsWith('/tools/')) {
    const name = decoded(path.slice(7));
    if (name !== undefined) return { kind: 'tools', name };
  } else if (path.startsWith('/mcp/')) {
    const rest = path.slice(5);
    const slash = rest.indexOf('/');
    const name = decoded(slash === -1 ? rest : rest.slice(0, slash));
    if (name !== undefined) return { kind: 'mcp', name };
  } else if (path === '/healthz') return { kind: 'health', name: '' };
  return { kind: 'none', name: path };
}

/**
 * The gateway's composition root: a guard (or the one given), the in-flight registry, the
 * identity resolver, the HTTP tool proxy and the MCP side, behind one HTTP server with
 * `/tools/<name>`, `/mcp/<server>` and `/healthz`.
 *
 * @example
 * const gateway = createGateway({ config: await loadGatewayConfig('gateway.yaml', process.env), token });
 * console.log(`estop gateway on ${await gateway.listen()}`);
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, logger } = options;
  const guard = options.guard ?? createGatewayGuard({ config, token: options.token, logger, keys: options.keys });
  const inFlight = createInFlightCalls(guard);
  const identity =
    options.identity ??
    createIdentityResolver({ controlPlaneUrl: config.control_plane.url, cacheMs: config.identity.cache_ms });
  const proxy = createHttpProxy({ config, guard, identity, inFlight, logger });
  // Started by `listen`, since starting it launches the upstream servers.
  let mcp: McpGateway | undefined;

  const server: Server = createServer((request, response) => {
    const route = routeOf(request.url ?? '/');
    const done =
      route.kind === 'tools'
        ? proxy.handle(request, response, route.name)
        : route.kind === 'mcp' && Object.hasOwn(config.mcp.servers, route.name) && mcp !== undefined
          ? mcp.handle(request, response, route.name)
          : route.kind === 'health'
            ? health(response)
            : notFound(
                request,
                response,
                route.kind === 'mcp' ? `no MCP server named ${route.name}` : `no route ${route.name.slice(0, 200)}`,
              );
    done.catch((error: unknown) => {
      logger?.error('request failed', {
        url: request.url,
        error: error instanceof Error ? error.message : String(error),
      });
      sendProblem(response, new EstopError({ code: 'internal', message: 'internal error' }));
    });
  });
  server.keepAliveTimeout = 65_000;
  // What Node's parser refuses (headers or a URL over 16 KiB, bytes that are not HTTP) is a problem too.
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) socket.destroy();
    else socket.end(clientErrorAnswer(error.code));
  });

  async function health(response: ServerResponse): Promise<void> {
    const body = JSON.stringify({ status: 'ok', version: guard.version, stale: guard.stale });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }

  let closing: Promise<void> | undefined;
  return {
    guard,
    inFlight,
    async listen() {
      mcp ??= await startMcpGateway(config, guard, identity, inFlight, logger);
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.listen.port, config.listen.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${host}:${address.port}`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
        await mcp?.close();
        proxy.close();
        inFlight.close();
        if (options.guard === undefined) await guard.close();
      })();
      return closing;
    },
  };
}

async function notFound(request: IncomingMessage, response: ServerResponse, message: string): Promise<void> {
  request.resume();
  sendProblem(response, new EstopError({ code: 'not_found', message }));
}

async function startMcpGateway(
  config: GatewayConfig,
  guard: Guard,
  identity: IdentityResolver,
  inFlight: InFlightCalls,
  logger: GatewayLogger | undefined,
): Promise<McpGateway | undefined> {
  if (Object.keys(config.mcp.servers).length === 0) return undefined;
  return createMcpGateway({ config, guard, identity, inFlight, logger });
}
