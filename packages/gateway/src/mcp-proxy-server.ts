import { isEstopError, type Call, type Effect } from '@estop/core';
import { CallDeniedError, isDrafted, type Guard } from '@estop/sdk';
import { draftedToolResult, ToolErrorResult } from '@estop/sdk/mcp';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from './caller.js';
import { illFormedCall } from './ill-formed-call.js';
import type { InFlightCall, InFlightCalls } from './in-flight-calls.js';
import { cancelledResult, notRunResult, refusalResult, type RuleLookup } from './mcp-refusal.js';
import { mcpToolEffect, mcpToolName } from './mcp-tool-effect.js';
import type { McpUpstream } from './mcp-upstream.js';

/** What one proxy server needs: the upstream it fronts, for whom, and the enforcement parts. */
export interface McpProxyServerOptions {
  upstream: McpUpstream;
  /** Effects per tool name from the server's configuration; they override annotations. */
  tools: Readonly<Record<string, Effect>>;
  caller: Caller;
  guard: Guard;
  inFlight: InFlightCalls;
  rules: RuleLookup;
}

/** A proxy server for one agent session, and how to stop following changes once it is done. */
export interface McpProxyServer {
  readonly server: Server;
  /** Stops the change subscriptions; call when the session ends. */
  dispose(): void;
}

const toolIndexes = new WeakMap<readonly Tool[], Map<string, Tool>>();

function findTool(tools: readonly Tool[], name: string): Tool | undefined {
  let index = toolIndexes.get(tools);
  if (index === undefined) {
    index = new Map(tools.map((tool) => [tool.name, tool]));
    toolIndexes.set(tools, index);
  }
  return index.get(name);
}

/**
 * An MCP server, for one caller, that fronts one upstream and enforces estop on it: `tools/list`
 * hides the tools disabled for the caller, `tools/call` goes through `guard.execute` (refused,
 * drafted, held for an approval, or deduped before it is forwarded) and is tracked in flight
 * while it runs, resources and prompts pass through. Used both by the HTTP
 * gateway (one per session) and by the stdio gateway.
 *
 * Tools are named `<server>.<tool>` in decisions, so `estop kill --tool 'mail.*'` covers the
 * `mail` server's tools and `--tool mail.send_email` one of them.
 */
export function createMcpProxyServer(options: McpProxyServerOptions): McpProxyServer {
  const { upstream, caller, guard, inFlight, rules } = options;
  const upstreamCapabilities = upstream.capabilities;
  const capabilities: ServerCapabilities = { tools: { listChanged: true } };
  // Before the upstream has connected its capabilities are unknown: offer everything and let
  // requests it cannot serve fail there.
  const resources = upstreamCapabilities === undefined || upstreamCapabilities.resources !== undefined;
  const prompts = upstreamCapabilities === undefined || upstreamCapabilities.prompts !== undefined;
  if (resources) capabilities.resources = { listChanged: true };
  if (prompts) capabilities.prompts = { listChanged: true };
  const server = new Server(
    { name: `estop-gateway/${upstream.name}`, version: '0.1.0' },
    { capabilities, debouncedNotificationMethods: ['notifications/tools/list_changed'] },
  );

  const callFor = (tool: string, effect: Effect): Call => ({
    tenant: caller.tenant,
    agent: caller.agent,
    run: caller.run,
    tool: mcpToolName(upstream.name, tool),
    effect,
  });

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    const tools = await upstream.listTools({ signal: extra.signal, fresh: true });
    return {
      tools: tools.filter((tool) => {
        // Reads are refused by full_stop only: a refused read means the tool is off for this caller.
        const decision = guard.decide(callFor(tool.name, 'read'));
        return !(decision.outcome === 'deny' && decision.mode === 'full_stop');
      }),
    };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const illFormed = illFormedCall(name, request.params.arguments);
    if (illFormed !== undefined) throw new McpError(ErrorCode.InvalidParams, illFormed);
    // The cached list, shared by every session: no one session's cancellation may fail it.
    const tool = findTool(await upstream.listTools(), name);
    const call = callFor(name, mcpToolEffect(options.tools, name, tool));
    let flight: InFlightCall | undefined;
    const forward = async (): Promise<CallToolResult> => {
      flight = inFlight.start(call);
      try {
        const progressToken = request.params._meta?.progressToken;
        // Progress is relayed in order, and all of it before the result.
        let relayed: Promise<void> = Promise.resolve();
        const result = await upstream.callTool(request.params, {
          signal: AbortSignal.any([flight.signal, extra.signal]),
          onprogress:
            progressToken === undefined
              ? undefined
              : (progress) => {
                  relayed = relayed
                    .then(() =>
                      extra.sendNotification({
                        method: 'notifications/progress',
                        params: { ...progress, progressToken },
                      }),
                    )
                    .catch(() => undefined);
                },
        });
        await relayed;
        // A tool error is a failed call: thrown, so that its idempotency key is released and a retry runs.
        if (result.isError === true) throw new ToolErrorResult(result);
        return result;
      } finally {
        flight.end();
      }
    };
    try {
      // Decided, drafted, approved and deduped in one place, as for the SDK's run.tool; the
      // client cancelling the request ends a wait for an approval.
      const result = await guard.execute(call, request.params.arguments ?? {}, forward, { signal: extra.signal });
      return isDrafted(result) ? draftedToolResult(result, tool?.outputSchema !== undefined) : result;
    } catch (error) {
      if (error instanceof ToolErrorResult) return error.result;
      if (error instanceof CallDeniedError) return refusalResult(call.tool, error.decision, rules);
      if (flight?.signal.aborted === true) return cancelledResult(call.tool, flight.stoppedBy, rules);
      if (isEstopError(error) && flight === undefined && !extra.signal.aborted) return notRunResult(error);
      throw error;
    }
  });

  if (resources) {
    server.setRequestHandler(ListResourcesRequestSchema, (request, extra) =>
      upstream.listResources(request.params, { signal: extra.signal }),
    );
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (request, extra) =>
      upstream.listResourceTemplates(request.params, { signal: extra.signal }),
    );
    server.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
      upstream.readResource(request.params, { signal: extra.signal }),
    );
  }
  if (prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, (request, extra) =>
      upstream.listPrompts(request.params, { signal: extra.signal }),
    );
    server.setRequestHandler(GetPromptRequestSchema, (request, extra) =>
      upstream.getPrompt(request.params, { signal: extra.signal }),
    );
  }

  let initialized = false;
  server.oninitialized = () => {
    initialized = true;
  };
  const send = (notification: () => Promise<void>) => {
    if (initialized) notification().catch(() => undefined);
  };
  const stopGuard = guard.onChange(() => send(() => server.sendToolListChanged()));
  const stopUpstream = upstream.onListChanged((change) => {
    if (change === 'tools') send(() => server.sendToolListChanged());
    else if (change === 'resources' && resources) send(() => server.sendResourceListChanged());
    else if (change === 'prompts' && prompts) send(() => server.sendPromptListChanged());
  });
  return {
    server,
    dispose() {
      stopGuard();
      stopUpstream();
    },
  };
}
