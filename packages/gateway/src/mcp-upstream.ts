import { EstopError } from '@estop/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolResultSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolRequest,
  type CallToolResult,
  type GetPromptRequest,
  type GetPromptResult,
  type ListPromptsRequest,
  type ListPromptsResult,
  type ListResourcesRequest,
  type ListResourcesResult,
  type ListResourceTemplatesRequest,
  type ListResourceTemplatesResult,
  type Progress,
  type ReadResourceRequest,
  type ReadResourceResult,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { HttpUpstream, StdioUpstream } from './gateway-config.js';
import { restartDelay } from './mcp-restart-delay.js';
import { upstreamFailure } from './mcp-upstream-error.js';
import { createUpstreamTransport } from './mcp-upstream-transport.js';

/** A list-changed notification an upstream sent, to be passed on to the agents. */
export type UpstreamListChange = 'tools' | 'resources' | 'prompts';

/** How one upstream request is made: cancelled by `signal`, reporting progress to `onprogress`. */
export interface UpstreamRequestOptions {
  signal?: AbortSignal | undefined;
  onprogress?: ((progress: Progress) => void) | undefined;
}

/** Something that reports what the gateway does; the gateway's logger. */
export interface McpLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The gateway's MCP client connection to one upstream server. It connects on `start`, and when
 * the connection is lost (a stdio server's process exits, an HTTP server goes away) it fails the
 * requests in flight with an error naming the server and reconnects with exponential backoff.
 */
export interface McpUpstream {
  /** The server's name in the configuration, as in `/mcp/<name>`. */
  readonly name: string;
  /** The upstream's capabilities while connected. */
  readonly capabilities: ServerCapabilities | undefined;
  /** True while connected. */
  readonly connected: boolean;
  /** Starts connecting; resolves once the first attempt has succeeded or failed. */
  start(): Promise<void>;
  /**
   * Every tool the upstream offers, with annotations; cached until the upstream says the list
   * changed, or asked afresh with `fresh`.
   */
  listTools(options?: UpstreamRequestOptions & { fresh?: boolean | undefined }): Promise<readonly Tool[]>;
  /** Calls a tool; aborting `options.signal` sends `notifications/cancelled` upstream. */
  callTool(params: CallToolRequest['params'], options?: UpstreamRequestOptions): Promise<CallToolResult>;
  listResources(params: ListResourcesRequest['params'], options?: UpstreamRequestOptions): Promise<ListResourcesResult>;
  listResourceTemplates(
    params: ListResourceTemplatesRequest['params'],
    options?: UpstreamRequestOptions,
  ): Promise<ListResourceTemplatesResult>;
  readResource(params: ReadResourceRequest['params'], options?: UpstreamRequestOptions): Promise<ReadResourceResult>;
  listPrompts(params: ListPromptsRequest['params'], options?: UpstreamRequestOptions): Promise<ListPromptsResult>;
  getPrompt(params: GetPromptRequest['params'], options?: UpstreamRequestOptions): Promise<GetPromptResult>;
  /** Calls `listener` when the upstream's tools, resources or prompts change, and after each reconnection. */
  onListChanged(listener: (change: UpstreamListChange) => void): () => void;
  /** Disconnects for good (a stdio server is stopped). */
  close(): Promise<void>;
}

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
      const client = new Client({ name: 'estop-gateway', version: '0.1.0' });
      const current: Connection = { client, lost: false };
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
        await client.connect(createUpstreamTransport(options.upstream), { timeout: timeoutMs });
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

  /** Runs one request on the current connection, translating its failures. */
  const run = async <T>(
    work: (client: Client, requestOptions: RequestOptions) => Promise<T>,
    requestOptions: UpstreamRequestOptions | undefined,
  ): Promise<T> => {
    if (connection === undefined && connecting !== undefined) await connecting;
    const used = current();
    try {
      return await work(used.client, {
        timeout: timeoutMs,
        ...(requestOptions?.signal === undefined ? {} : { signal: requestOptions.signal }),
        ...(requestOptions?.onprogress === undefined ? {} : { onprogress: requestOptions.onprogress }),
      });
    } catch (error) {
      if (requestOptions?.signal?.aborted) throw error;
      throw upstreamFailure(name, error, used.lost);
    }
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
      run(
        (client, request) => client.request({ method: 'tools/call', params }, CallToolResultSchema, request),
        requestOptions,
      ),
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
      const open = connection;
      connection = undefined;
      if (connecting !== undefined) await connecting.catch(() => undefined);
      await open?.client.close().catch(() => undefined);
    },
  };
}
