import { randomUUID } from 'node:crypto';
import type { Call, Decision, Effect } from '@estop/core';
import { isDrafted, type Guard } from '@estop/sdk';
import { draftedToolResult, ToolErrorResult } from '@estop/sdk/mcp';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ResultSchema,
  type CallToolRequest,
  type CallToolResult,
  type CreateTaskResult,
  type RequestId,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from './caller.js';
import { illFormedCall } from './ill-formed-call.js';
import { cancelledWhilePresent, findTool } from './mcp-call-helpers.js';
import type { InFlightCall, InFlightCalls } from './in-flight-calls.js';
import type { McpAgentSession } from './mcp-agent-session.js';
import type { McpDedupe } from './mcp-dedupe.js';
import { createMcpDepartures } from './mcp-departures.js';
import { passThrough } from './mcp-pass-through.js';
import { proxyCapabilities } from './mcp-proxy-capabilities.js';
import { keepToolResult, replayToolResult } from './mcp-replay.js';
import { hiddenToolsWarning, type RuleLookup } from './mcp-refusal.js';
import { forwardTaskCall, refusedTask, taskOf } from './mcp-task-call.js';
import { failedCallResult } from './mcp-failed-call.js';
import { serveTasks, type McpSessionTasks } from './mcp-tasks.js';
import { mcpToolEffect, mcpToolName } from './mcp-tool-effect.js';
import type { McpLogger, McpUpstream } from './mcp-upstream.js';

/** What one proxy server needs: the upstream it fronts, for whom, and the enforcement parts. */
export interface McpProxyServerOptions {
  upstream: McpUpstream;
  /** Effects per tool name from the server's configuration; they override annotations. */
  tools: Readonly<Record<string, Effect>>;
  caller: Caller;
  guard: Guard;
  inFlight: InFlightCalls;
  rules: RuleLookup;
  /** Which writes are deduped, and the account of their replays. */
  dedupe?: McpDedupe | undefined;
  /** Tells whether another session of the same upstream subscribed to the resource `uri`. */
  subscribedElsewhere?: ((uri: string) => boolean) | undefined;
  /** Where the cancellation of a task by a stop is reported. */
  logger?: McpLogger | undefined;
}

/** A proxy server for one agent session, and what its transport tells it about the agent. */
export interface McpProxyServer {
  readonly server: Server;
  /**
   * The agent can no longer receive the answer to `requestId` (the connection that carried it
   * closed): a read it made is cancelled upstream; a write runs to its end and its result is kept.
   */
  abandon(requestId: RequestId): void;
  /**
   * The session ended and its agent is gone: cancels its reads upstream as `abandon` does, and
   * stops the change subscriptions. Call before closing `server`, whose closing aborts every
   * request as if the agent had cancelled it.
   */
  dispose(): void;
  /** Resolves once every request the agent made has ended, writes that outlive the agent included. */
  settled(): Promise<void>;
  /** True when this session subscribed to updates of the resource `uri`. */
  subscribes(uri: string): boolean;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * An MCP server, for one caller, that fronts one upstream and enforces estop on it: `tools/list`
 * hides the tools disabled for the caller, `tools/call` goes through `guard.execute` (refused,
 * drafted, held for an approval, or deduped before it is forwarded) and is tracked in flight
 * while it runs, resources and prompts pass through. When the upstream offers tasks, a
 * task-augmented `tools/call` is decided the same way, and its task stays in flight until it ends
 * (see `serveTasks`). Used both by the HTTP
 * gateway (one per session) and by the stdio gateway.
 *
 * Tools are named `<server>.<tool>` in decisions, so `estop kill --tool 'mail.*'` covers the
 * `mail` server's tools and `--tool mail.send_email` one of them.
 */
export function createMcpProxyServer(options: McpProxyServerOptions): McpProxyServer {
  const { upstream, caller, guard, inFlight, rules } = options;
  const departures = createMcpDepartures();
  const serving = new Set<Promise<unknown>>();
  const capabilities = proxyCapabilities(upstream.capabilities);
  const resources = capabilities.resources !== undefined;
  const prompts = capabilities.prompts !== undefined;
  const instructions = upstream.instructions;
  const server = new Server(
    { name: `estop-gateway/${upstream.name}`, version: '0.1.0' },
    {
      // Logging is offered whatever the upstream offers: the gateway sends its own warnings.
      capabilities: { ...capabilities, logging: {} },
      ...(instructions === undefined ? {} : { instructions }),
      debouncedNotificationMethods: ['notifications/tools/list_changed'],
    },
  );
  const subscriptions = new Set<string>();
  // The SDK's clients ignore the cancellation of a request whose id is 0 (a falsy check), so the
  // requests relayed to the agent start at 1: a relayed request that is cancelled must be heard.
  (server as unknown as { _requestMessageId: number })._requestMessageId = 1;

  /**
   * Serves one request: `work` gets a signal aborted when the agent cancels it or goes away
   * (what a read is cancelled by upstream) and the departure alone, and is counted until it ends.
   */
  const serve = <T>(extra: Extra, work: (signal: AbortSignal, gone: AbortSignal) => Promise<T>): Promise<T> => {
    const watched = departures.watch(extra.requestId);
    const running = (async () => {
      try {
        return await work(AbortSignal.any([extra.signal, watched.signal]), watched.signal);
      } finally {
        watched.done();
      }
    })();
    serving.add(running);
    void running.then(
      () => serving.delete(running),
      () => serving.delete(running),
    );
    return running;
  };

  // What the upstream sends of its own accord during a request, relayed to this agent.
  const session: McpAgentSession = {
    tenant: caller.tenant,
    async relay(request, relayOptions) {
      // An agent under a full_stop is asked nothing on the upstream's behalf.
      const call = callFor(request.method, 'read');
      const decision = guard.decide(relayOptions.tool === undefined ? call : { ...call, tool: relayOptions.tool });
      if (decision.outcome === 'deny' && decision.mode === 'full_stop') {
        throw new McpError(ErrorCode.InvalidRequest, `estop: ${request.method} refused: the caller is stopped`);
      }
      return server.request(request as { method: 'roots/list' }, ResultSchema, {
        signal: relayOptions.signal,
        timeout: 24 * 60 * 60_000,
        ...(relayOptions.relatedRequestId === undefined ? {} : { relatedRequestId: relayOptions.relatedRequestId }),
      });
    },
    notify(notification, relatedRequestId) {
      if (notification.method === 'notifications/tasks/status') tasks?.observe(notification.params);
      send(() =>
        server.notification(
          notification as ServerNotification,
          relatedRequestId === undefined ? undefined : { relatedRequestId },
        ),
      );
    },
    subscribes: (uri) => subscriptions.has(uri),
    ownsTask: (taskId) => tasks?.owns(taskId) ?? false,
  };
  const tasks: McpSessionTasks | undefined =
    capabilities.tasks === undefined
      ? undefined
      : serveTasks({ server, upstream, session, serve, logger: options.logger });

  const callFor = (tool: string, effect: Effect): Call => ({
    tenant: caller.tenant,
    agent: caller.agent,
    run: caller.run,
    tool: mcpToolName(upstream.name, tool),
    effect,
  });

  server.setRequestHandler(ListToolsRequestSchema, (_request, extra) =>
    serve(extra, async (signal) => {
      const tools = await upstream.listTools({
        signal,
        fresh: true,
        context: { session, relatedRequestId: extra.requestId, signal },
      });
      let hiddenBy: Decision | undefined;
      const shown = tools.filter((tool) => {
        // Reads are refused by full_stop only: a refused read means the tool is off for this caller.
        const decision = guard.decide(callFor(tool.name, 'read'));
        const hidden = decision.outcome === 'deny' && decision.mode === 'full_stop';
        if (hidden) hiddenBy ??= decision;
        return !hidden;
      });
      if (shown.length === 0 && hiddenBy !== undefined) {
        // Sent on the request's own stream, before its answer, so that a client shows it with the list.
        const data = hiddenToolsWarning(upstream.name, hiddenBy, rules);
        await extra
          .sendNotification({ method: 'notifications/message', params: { level: 'warning', logger: 'estop', data } })
          .catch(() => undefined);
      }
      return { tools: shown };
    }),
  );

  const callTool = async (
    request: CallToolRequest,
    extra: Extra,
    readSignal: AbortSignal,
    gone: AbortSignal,
  ): Promise<CallToolResult | CreateTaskResult> => {
    const name = request.params.name;
    const illFormed = illFormedCall(name, request.params.arguments);
    if (illFormed !== undefined) throw new McpError(ErrorCode.InvalidParams, illFormed);
    // A task is offered only as the upstream offers it: its open tasks are this session's to cancel.
    const augmented = request.params.task !== undefined;
    if (augmented && tasks === undefined) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `${name}: this upstream does not offer tasks; call it without "task"`,
      );
    }
    // The cached list, shared by every session: no one session's cancellation may fail it.
    const tool = findTool(await upstream.listTools(), name);
    const call = callFor(name, mcpToolEffect(options.tools, name, tool));
    // An agent that went away cannot hear a read's answer: it is cancelled upstream. A write
    // already sent runs to its end, so that its result is kept for the agent's retry; only the
    // agent's own cancellation (or a cancelInFlight rule) stops it.
    const cancelled = call.effect === 'read' ? readSignal : cancelledWhilePresent(extra.signal, gone);
    let flight: InFlightCall | undefined;
    const forward = async (): Promise<CallToolResult> => {
      flight = inFlight.start(call);
      const context = { session, relatedRequestId: extra.requestId, tool: call.tool };
      // A task-augmented call: the task it creates upstream stays in flight until it ends.
      if (augmented) return forwardTaskCall({ upstream, params: request.params, flight, cancelled, context, tasks });
      try {
        const progressToken = request.params._meta?.progressToken;
        // Progress is relayed in order, and all of it before the result.
        let relayed: Promise<void> = Promise.resolve();
        const signal = AbortSignal.any([flight.signal, cancelled]);
        const result = await upstream.callTool(request.params, {
          signal,
          // What the tool asks of the agent meanwhile (sampling, elicitation) ends with the call.
          context: { ...context, signal },
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
      // client cancelling the request or going away ends a wait for an approval or a duplicate.
      const calledAt = new Date().toISOString();
      const callId = randomUUID();
      let replayed = false;
      const result = await guard.execute(call, request.params.arguments ?? {}, forward, {
        signal: readSignal,
        dedupe: options.dedupe?.dedupes(tool) ?? tool?.annotations?.idempotentHint !== true,
        record: (kept) => keepToolResult(kept, calledAt, callId),
        replay: (stored) => {
          replayed = true;
          return replayToolResult(stored);
        },
      });
      if (replayed) options.dedupe?.replayed(call.tool);
      // A duplicate of a task-augmented write is given the task the first call created.
      const replayedTask = augmented && replayed ? taskOf(result) : undefined;
      if (replayedTask !== undefined) tasks?.created(replayedTask);
      const answer = isDrafted(result) ? draftedToolResult(result, tool?.outputSchema !== undefined) : result;
      return augmented && isDrafted(result) ? refusedTask(answer) : answer;
    } catch (error) {
      const answer = failedCallResult(error, { tool: call.tool, flight, readSignal }, rules);
      return augmented ? refusedTask(answer) : answer;
    }
  };
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    serve(extra, (signal, gone) => callTool(request, extra, signal, gone)),
  );

  passThrough({
    server,
    upstream,
    capabilities,
    session,
    serve,
    subscriptions,
    others: (uri) => options.subscribedElsewhere?.(uri) ?? false,
  });

  let initialized = false;
  server.oninitialized = () => {
    initialized = true;
  };
  const send = (notification: () => Promise<void>) => {
    if (initialized) notification().catch(() => undefined);
  };
  const detach = upstream.attach(session);
  const stopGuard = guard.onChange(() => send(() => server.sendToolListChanged()));
  const stopUpstream = upstream.onListChanged((change) => {
    if (change === 'tools') send(() => server.sendToolListChanged());
    else if (change === 'resources' && resources) send(() => server.sendResourceListChanged());
    else if (change === 'prompts' && prompts) send(() => server.sendPromptListChanged());
  });
  return {
    server,
    abandon: (requestId) => departures.abandon(requestId),
    dispose() {
      departures.leaveAll();
      tasks?.dispose();
      detach();
      stopGuard();
      stopUpstream();
    },
    async settled() {
      while (serving.size > 0) await Promise.allSettled([...serving]);
    },
    subscribes: (uri) => subscriptions.has(uri),
  };
}
