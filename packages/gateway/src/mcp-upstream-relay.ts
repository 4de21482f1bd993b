import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  type RequestId,
  type Result,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpAgentSession, RelayedMessage } from './mcp-agent-session.js';
import type { UpstreamWire } from './mcp-upstream-wire.js';

/** What the upstream connection's client offers its server, for the agents behind the gateway. */
export const RELAYED_CLIENT_CAPABILITIES = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

/** Aborted when either is. (Node 20 can lose the abort of an `AbortSignal.any` made of another.) */
function eitherSignal(first: AbortSignal, second: AbortSignal): AbortSignal {
  const controller = new AbortController();
  for (const signal of [first, second]) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/**
 * Relays what an upstream sends of its own accord to the agents: its requests (sampling,
 * elicitation, roots) to the agent whose request caused them, or to the only agent there is;
 * log messages likewise, or when they belong to no request to every agent if all are of one
 * tenant (else to none); resource updates to the agents that subscribed; a task's status to the
 * agent that created the task.
 */
export function relayToAgents(client: Client, wire: UpstreamWire, sessions: ReadonlySet<McpAgentSession>): void {
  const relay = async (
    request: RelayedMessage,
    extra: { requestId: RequestId; signal: AbortSignal },
  ): Promise<Result> => {
    const context = wire.contextOf(extra.requestId);
    const session = context?.session ?? (sessions.size === 1 ? sessions.values().next().value : undefined);
    if (session === undefined) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `estop gateway: ${request.method} belongs to no agent request it can tell (send it during a tools/call)`,
      );
    }
    const signal = context === undefined ? extra.signal : eitherSignal(extra.signal, context.signal);
    try {
      return await session.relay(request, {
        signal,
        relatedRequestId: context?.relatedRequestId,
        tool: context?.tool,
      });
    } catch (error) {
      if (!signal.aborted || extra.signal.aborted) throw error;
      throw new McpError(
        ErrorCode.InvalidRequest,
        `estop gateway: ${request.method} cancelled: the call that asked for it was cancelled or stopped`,
      );
    }
  };
  // The SDK's client checks the answers against the request (an accepted form against its schema).
  client.setRequestHandler(CreateMessageRequestSchema, (request, extra) => relay(request, extra) as never);
  client.setRequestHandler(ElicitRequestSchema, (request, extra) => relay(request, extra) as never);
  client.setRequestHandler(ListRootsRequestSchema, (request, extra) => relay(request, extra) as never);

  wire.onnotification = (notification, context) => {
    if (notification.method === 'notifications/resources/updated') {
      const uri = String(notification.params?.['uri']);
      for (const session of sessions) if (session.subscribes(uri)) session.notify(notification);
      return;
    }
    if (notification.method === 'notifications/tasks/status') {
      // A task's status is its creator's only, whatever request or stream it came on.
      const taskId = String(notification.params?.['taskId']);
      for (const session of sessions) if (session.ownsTask(taskId)) session.notify(notification);
      return;
    }
    if (context !== undefined) {
      context.session.notify(notification, context.relatedRequestId);
      return;
    }
    // Said outside any request it can tell: every session may hear it only if they are all one
    // tenant's; otherwise no one does, since it may be about another tenant's call.
    const tenants = new Set([...sessions].map((session) => session.tenant));
    if (tenants.size === 1) for (const session of sessions) session.notify(notification);
  };
}
