import type { RequestId, Result } from '@modelcontextprotocol/sdk/types.js';

/** A message relayed from an upstream to an agent: its method and parameters. */
export interface RelayedMessage {
  method: string;
  params?: Record<string, unknown> | undefined;
}

/**
 * One agent's session as an upstream sees it: where the requests and notifications the upstream
 * sends on its own (sampling, elicitation, roots, log messages, resource updates, task statuses) are relayed.
 */
export interface McpAgentSession {
  /** The caller's tenant: what an upstream says outside any request reaches one tenant only. */
  readonly tenant: string;
  /**
   * Relays a server → client request to the agent, as part of its request `relatedRequestId`
   * when known, and resolves to the agent's answer. Refused (thrown) when the caller's rules
   * stop it; aborted by `signal`.
   */
  relay(
    request: RelayedMessage,
    options: { signal: AbortSignal; relatedRequestId?: RequestId | undefined; tool?: string | undefined },
  ): Promise<Result>;
  /** Sends a notification to the agent, on the stream of its request `relatedRequestId` when given. */
  notify(notification: RelayedMessage, relatedRequestId?: RequestId): void;
  /** True when the agent subscribed to updates of the resource `uri`. */
  subscribes(uri: string): boolean;
  /** True when the agent created the upstream's task `taskId` (its status notifications are its own). */
  ownsTask(taskId: string): boolean;
}

/**
 * What an upstream request was made for: the agent session and request it serves, so that what
 * the upstream sends during it reaches that agent and ends with it.
 */
export interface UpstreamCallContext {
  readonly session: McpAgentSession;
  /** The agent's own id for the request. */
  readonly relatedRequestId: RequestId;
  /** Aborted when the agent's request is cancelled, refused or stopped: its side requests end too. */
  readonly signal: AbortSignal;
  /** The decided tool name (`server.tool`) of a `tools/call`. */
  readonly tool?: string | undefined;
}
