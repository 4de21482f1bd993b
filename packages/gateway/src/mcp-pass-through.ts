import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpAgentSession, RelayedMessage } from './mcp-agent-session.js';
import type { McpUpstream } from './mcp-upstream.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How the proxy serves one request: `work` gets a signal aborted when the agent cancels it or goes away. */
export type Serve = <T>(extra: Extra, work: (signal: AbortSignal) => Promise<T>) => Promise<T>;

const SCHEMAS = {
  'resources/list': ListResourcesRequestSchema,
  'resources/templates/list': ListResourceTemplatesRequestSchema,
  'resources/read': ReadResourceRequestSchema,
  'resources/subscribe': SubscribeRequestSchema,
  'resources/unsubscribe': UnsubscribeRequestSchema,
  'prompts/list': ListPromptsRequestSchema,
  'prompts/get': GetPromptRequestSchema,
  'completion/complete': CompleteRequestSchema,
  'logging/setLevel': SetLevelRequestSchema,
} as const;

type PassedMethod = keyof typeof SCHEMAS;

function offered(capabilities: ServerCapabilities): PassedMethod[] {
  const methods: PassedMethod[] = [];
  if (capabilities.resources !== undefined) {
    methods.push('resources/list', 'resources/templates/list', 'resources/read');
    if (capabilities.resources.subscribe === true) methods.push('resources/subscribe', 'resources/unsubscribe');
  }
  if (capabilities.prompts !== undefined) methods.push('prompts/list', 'prompts/get');
  if (capabilities.completions !== undefined) methods.push('completion/complete');
  if (capabilities.logging !== undefined) methods.push('logging/setLevel');
  return methods;
}

/**
 * Passes every request other than tools through to the upstream as it is, with its progress,
 * for what `capabilities` offers: resources, templates and subscriptions, prompts, completions
 * and the logging level. Subscriptions are kept per agent session, so that resource updates
 * reach only those who asked, and an unsubscription reaches the upstream (which the agents
 * share) once no session holds the resource any more.
 */
export function passThrough(options: {
  server: Server;
  upstream: McpUpstream;
  capabilities: ServerCapabilities;
  session: McpAgentSession;
  serve: Serve;
  /** The resources this session subscribed to; `others` tells whether another session did. */
  subscriptions: Set<string>;
  others: (uri: string) => boolean;
}): void {
  const { server, upstream, session, serve, subscriptions } = options;
  for (const method of offered(options.capabilities)) {
    server.setRequestHandler(SCHEMAS[method], (request, extra) =>
      serve(extra, async (signal) => {
        const uri = (request.params as { uri?: string } | undefined)?.uri ?? '';
        if (method === 'resources/unsubscribe') {
          subscriptions.delete(uri);
          if (options.others(uri)) return {};
        }
        const progressToken = request.params?._meta?.progressToken;
        const result = await upstream.request(request as RelayedMessage, {
          signal,
          context: { session, relatedRequestId: extra.requestId, signal },
          onprogress:
            progressToken === undefined
              ? undefined
              : (progress) =>
                  void extra
                    .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
                    .catch(() => undefined),
        });
        if (method === 'resources/subscribe') subscriptions.add(uri);
        return result as never;
      }),
    );
  }
  server.setNotificationHandler(RootsListChangedNotificationSchema, () =>
    upstream.notify({ method: 'notifications/roots/list_changed' }).catch(() => undefined),
  );
}
