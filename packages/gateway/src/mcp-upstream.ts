import { EstopError } from '@estop/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolResultSchema,
  ResultSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { HttpUpstream, StdioUpstream } from './gateway-config.js';
import { restartDelay } from './mcp-restart-delay.js';
import { upstreamFailure } from './mcp-upstream-error.js';
import { createUpstreamTransport } from './mcp-upstream-transport.js';
import type { McpAgentSession, RelayedMessage } from './mcp-agent-session.js';
import { RELAYED_CLIENT_CAPABILITIES, relayToAgents } from './mcp-upstream-relay.js';
import { UpstreamWire, withCallContext } from './mcp-upstream-wire.js';
import type { McpLogger, McpUpstream, UpstreamListChange, UpstreamRequestOptions } from './mcp-upstream-port.js';

export type { McpLogger, McpUpstream, UpstreamListChange, UpstreamRequestOptions } from './mcp-upstream-port.js';

/** Options of `createMcpUpstream`. */
export interface McpUpstreamOptions {
  name: string;
  upstream: StdioUpstream | HttpUpstream;
  /** How long one upstream request may take, in milliseconds. */
  timeoutMs: number;
  logger?: McpLogger | undefined;
  /** First and longest delay before reconnecting. Default 100 and 5000 ms. */
  restart?: { baseMs?: number | undefined; maxMs?: number | undefined } | undefined;
}

interface Connection {
  readonly client: Client;
  readonly wire: UpstreamWire;
  lost: boolean;
}

/**
 * Creates the connection to one upstream MCP server (not yet started).
 *
 * @example
 * const upstream = createMcpUpstream({ name: 'mail', upstream: config.mcp.servers.mail, timeoutMs: 30_000 });
 * await upstream.start();
 * const tools = await upstream.listTools();
 */
export function createMcpUpstream(options: McpUpstreamOptions): McpUpstream {
  const { name, timeoutMs, logger } = options;
  const baseMs = options.restart?.baseMs ?? 100;
  const maxMs = options.restart?.maxMs ?? 5000;
  const listeners = new Set<(change: UpstreamListChange) => void>();
  const sessions = new Set<McpAgentSession>();
  let connection: Connection | undefined;
  let connecting: Promise<void> | undefined;
  let failures = 0;
  let lastProblem = 'it has not started yet';
  let restartTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let tools: Promise<readonly Tool[]> | undefined;

  const notify = (change: UpstreamListChange) => {
    if (change === 'tools') tools = undefined;
    for (const listener of listeners) listener(change);
  };

  const scheduleRestart = () => {
    if (closed || restartTimer !== undefined) return;
    const delay = restartDelay(failures, baseMs, maxMs);
    failures += 1;
    logger?.info('mcp upstream restarting', { server: name, delayMs: delay });
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void connect();
    }, delay);
    restartTimer.unref();
  };

  const connect = (): Promise<void> => {
    if (closed) return Promise.resolve();
    connecting ??= (async () => {
      const client = new Client(
        { name: 'estop-gateway', version: '0.1.0' },
        { capabilities: RELAYED_CLIENT_CAPABILITIES },
      );
      const stderrLine =
        logger === undefined ? undefined : (line: string) => logger.info('mcp upstream stderr', { server: name, line });
      const wire = new UpstreamWire(createUpstreamTransport(options.upstream, stderrLine));
      relayToAgents(client, wire, sessions);
      const current: Connection = { client, wire, lost: false };
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => notify('tools'));
      client.setNotificationHandler(ResourceListChangedNotificationSchema, () => notify('resources'));
      client.setNotificationHandler(PromptListChangedNotificationSchema, () => notify('prompts'));
      client.onclose = () => {
        if (current.lost) return;
        current.lost = true;
        if (connection === current) connection = undefined;
        tools = undefined;
        if (closed) return;
        lastProblem = 'its connection was lost (a stdio server exited)';
        logger?.error('mcp upstream lost', { server: name });
        scheduleRestart();
      };
      try {
        await client.connect(wire, { timeout: timeoutMs });
      } catch (error) {
        current.lost = true;
        lastProblem = `it could not be started: ${error instanceof Error ? error.message : String(error)}`;
        logger?.error('mcp upstream failed to start', { server: name, error: lastProblem });
        await client.close().catch(() => undefined);
        scheduleRestart();
        return;
      }
      if (closed) {
        await client.close().catch(() => undefined);
        return;
      }
      connection = current;
      const restarted = failures > 0;
      failures = 0;
      logger?.info('mcp upstream connected', { server: name });
      if (restarted) notify('tools');
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const current = (): Connection => {
    if (connection !== undefined) return connection;
    throw new EstopError({
      code: 'unavailable',
      message: `estop gateway: MCP server "${name}" is not available: ${lastProblem}; it is being restarted`,
    });
  };

  /** Runs one request on the current connection, for its agent request, translating its failures. */
  const run = async <T>(
    work: (client: Client, requestOptions: RequestOptions) => Promise<T>,
    requestOptions: UpstreamRequestOptions | undefined,
  ): Promise<T> => {
    if (connection === undefined && connecting !== undefined) await connecting;
    const used = current();
    try {
      return await withCallContext(requestOptions?.context, () =>
        work(used.client, {
          timeout: timeoutMs,
          ...(requestOptions?.signal === undefined ? {} : { signal: requestOptions.signal }),
        }),
      );
    } catch (error) {
      if (requestOptions?.signal?.aborted) throw error;
      throw upstreamFailure(name, error, used.lost);
    }
  };

  /** Sends a request as it is, with the progress token of `UpstreamWire.withProgress` when asked. */
  const relayRequest = async <T>(
    request: RelayedMessage,
    parse: (client: Client, sent: RelayedMessage, requestOptions: RequestOptions) => Promise<T>,
    requestOptions: UpstreamRequestOptions | undefined,
  ): Promise<T> => {
    const onprogress = requestOptions?.onprogress;
    if (onprogress === undefined) return run((client, options) => parse(client, request, options), requestOptions);
    let stop: (() => void) | undefined;
    return run((client, options) => {
      const relayed = (connection ?? current()).wire.withProgress(request, onprogress);
      stop = relayed.stop;
      return parse(client, relayed.sent, options);
    }, requestOptions).finally(() => stop?.());
  };

  const fetchTools = async (requestOptions?: UpstreamRequestOptions): Promise<readonly Tool[]> => {
    const all: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await run(
        (client, request) => client.listTools(cursor === undefined ? {} : { cursor }, request),
        requestOptions,
      );
      all.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  };

  return {
    name,
    get capabilities() {
      return connection?.client.getServerCapabilities();
    },
    get instructions() {
      return connection?.client.getInstructions();
    },
    get connected() {
      return connection !== undefined;
    },
    start: connect,
    listTools(requestOptions) {
      if (tools !== undefined && requestOptions?.fresh !== true) return tools;
      const listing = fetchTools(requestOptions);
      tools = listing;
      listing.catch(() => {
        if (tools === listing) tools = undefined;
      });
      return listing;
    },
    callTool: (params, requestOptions) =>
      relayRequest(
        { method: 'tools/call', params },
        (client, sent, request) =>
          client.request(sent as { method: 'tools/call'; params: typeof params }, CallToolResultSchema, request),
        requestOptions,
      ),
    request: (request, requestOptions) =>
      relayRequest(
        request,
        (client, sent, options) => client.request(sent as { method: 'ping' }, ResultSchema, options),
        requestOptions,
      ),
    async notify(notification) {
      await connection?.client.notification(notification as { method: 'notifications/roots/list_changed' });
    },
    attach(session) {
      sessions.add(session);
      return () => sessions.delete(session);
    },
    listResources: (params, requestOptions) =>
      run((client, request) => client.listResources(params, request), requestOptions),
    listResourceTemplates: (params, requestOptions) =>
      run((client, request) => client.listResourceTemplates(params, request), requestOptions),
    readResource: (params, requestOptions) =>
      run((client, request) => client.readResource(params, request), requestOptions),
    listPrompts: (params, requestOptions) =>
      run((client, request) => client.listPrompts(params, request), requestOptions),
    getPrompt: (params, requestOptions) => run((client, request) => client.getPrompt(params, request), requestOptions),
    onListChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      listeners.clear();
      sessions.clear();
      const open = connection;
      connection = undefined;
      if (connecting !== undefined) await connecting.catch(() => undefined);
      await open?.client.close().catch(() => undefined);
    },
  };
}
