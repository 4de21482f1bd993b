import type {
  CallToolRequest,
  CallToolResult,
  GetPromptRequest,
  GetPromptResult,
  ListPromptsRequest,
  ListPromptsResult,
  ListResourcesRequest,
  ListResourcesResult,
  ListResourceTemplatesRequest,
  ListResourceTemplatesResult,
  Progress,
  ReadResourceRequest,
  ReadResourceResult,
  Result,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpAgentSession, RelayedMessage, UpstreamCallContext } from './mcp-agent-session.js';

/** A list-changed notification an upstream sent, to be passed on to the agents. */
export type UpstreamListChange = 'tools' | 'resources' | 'prompts';

/**
 * How one upstream request is made: cancelled by `signal`, reporting progress to `onprogress`,
 * for the agent request `context` (which receives what the upstream sends during it).
 */
export interface UpstreamRequestOptions {
  signal?: AbortSignal | undefined;
  onprogress?: ((progress: Progress) => void) | undefined;
  context?: UpstreamCallContext | undefined;
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
  /** The upstream's instructions to its clients, while connected. */
  readonly instructions: string | undefined;
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
  /** Sends any other request (completions, logging level, subscriptions) as it is. */
  request(request: RelayedMessage, options?: UpstreamRequestOptions): Promise<Result>;
  /** Sends a notification from an agent (`notifications/roots/list_changed`). */
  notify(notification: RelayedMessage): Promise<void>;
  /**
   * Lets an agent session receive what the upstream sends of its own accord (its requests, log
   * messages, resource updates) until the returned function is called.
   */
  attach(session: McpAgentSession): () => void;
  /** Calls `listener` when the upstream's tools, resources or prompts change, and after each reconnection. */
  onListChanged(listener: (change: UpstreamListChange) => void): () => void;
  /** Disconnects for good (a stdio server is stopped). */
  close(): Promise<void>;
}
