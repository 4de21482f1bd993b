import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CancelTaskRequestSchema,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
  McpError,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import type { InFlightCall } from './in-flight-calls.js';
import type { McpAgentSession, RelayedMessage } from './mcp-agent-session.js';
import type { Serve } from './mcp-pass-through.js';
import type { McpLogger, McpUpstream } from './mcp-upstream-port.js';

const TERMINAL = new Set<string>(['completed', 'failed', 'cancelled']);

/**
 * The tasks one agent session created through the gateway. Each open task stays in flight (so a
 * stop with `cancelInFlight` that covers it cancels it upstream) until the upstream tells it ended.
 */
export interface McpSessionTasks {
  /**
   * Records a task the session's `tools/call` created upstream, with the call's flight; without
   * one for a task given again to a duplicate of the call that created it (deduped).
   */
  created(task: Task, flight?: InFlightCall): void;
  /** True when this session created the task `taskId`. */
  owns(taskId: string): boolean;
  /** Takes note of a task's state the upstream reported: a terminal one ends its flight. */
  observe(task: Partial<Task> | undefined): void;
  /** The session ended: its tasks are no longer counted in flight (they run on upstream, unreachable). */
  dispose(): void;
}

/** What `serveTasks` needs: the proxy's server, its upstream and session, and how a request is served. */
export interface ServeTasksOptions {
  server: Server;
  upstream: McpUpstream;
  session: McpAgentSession;
  serve: Serve;
  logger?: McpLogger | undefined;
}

/**
 * Serves `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` for one agent session by
 * passing them to the upstream, for the session's own tasks only: the upstream connection is
 * shared by every session, so a task another session created is refused as unknown, and
 * `tasks/list` shows only the session's tasks. A task's flight, once stopped by a rule, sends
 * `tasks/cancel` upstream and tells the agent the task's terminal state.
 */
export function serveTasks(options: ServeTasksOptions): McpSessionTasks {
  const { server, upstream, session, serve, logger } = options;
  const open = new Map<string, InFlightCall | undefined>();

  const end = (taskId: string) => {
    const flight = open.get(taskId);
    open.set(taskId, undefined);
    flight?.end();
  };
  const observe = (task: Partial<Task> | undefined) => {
    if (task?.taskId !== undefined && task.status !== undefined && TERMINAL.has(task.status)) end(task.taskId);
  };
  const owned = (taskId: string) => {
    if (!open.has(taskId)) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
  };
  const forward = (request: RelayedMessage, signal: AbortSignal, relatedRequestId: string | number) =>
    upstream.request(request, { signal, context: { session, relatedRequestId, signal } });

  const cancelStopped = async (task: Task, flight: InFlightCall) => {
    try {
      const cancelled = (await upstream.request({
        method: 'tasks/cancel',
        params: { taskId: task.taskId },
      })) as Partial<Task>;
      logger?.info('mcp task cancelled', {
        server: upstream.name,
        tool: flight.call.tool,
        task: task.taskId,
        status: cancelled.status,
        rule: flight.stoppedBy?.ruleId,
      });
      session.notify({ method: 'notifications/tasks/status', params: { ...task, ...cancelled } });
    } catch (error) {
      logger?.error('mcp task cancellation failed', {
        server: upstream.name,
        task: task.taskId,
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      end(task.taskId);
    }
  };

  server.setRequestHandler(GetTaskRequestSchema, (request, extra) =>
    serve(extra, async (signal) => {
      owned(request.params.taskId);
      const result = await forward(request, signal, extra.requestId);
      observe(result as Partial<Task>);
      return result as never;
    }),
  );
  server.setRequestHandler(GetTaskPayloadRequestSchema, (request, extra) =>
    serve(extra, async (signal) => {
      owned(request.params.taskId);
      const result = await forward(request, signal, extra.requestId);
      // The result is given once the task is terminal.
      end(request.params.taskId);
      return result as never;
    }),
  );
  server.setRequestHandler(CancelTaskRequestSchema, (request, extra) =>
    serve(extra, async (signal) => {
      owned(request.params.taskId);
      const result = await forward(request, signal, extra.requestId);
      observe(result as Partial<Task>);
      return result as never;
    }),
  );
  server.setRequestHandler(ListTasksRequestSchema, (request, extra) =>
    serve(extra, async (signal) => {
      const result = (await forward(request, signal, extra.requestId)) as { tasks?: Task[] };
      const tasks = (result.tasks ?? []).filter((task) => open.has(task.taskId));
      for (const task of tasks) observe(task);
      return { ...result, tasks } as never;
    }),
  );

  return {
    created(task, flight) {
      if (flight === undefined) {
        if (!open.has(task.taskId)) open.set(task.taskId, undefined);
        return;
      }
      open.set(task.taskId, flight);
      if (TERMINAL.has(task.status)) end(task.taskId);
      else if (flight.signal.aborted) void cancelStopped(task, flight);
      else flight.signal.addEventListener('abort', () => void cancelStopped(task, flight), { once: true });
    },
    owns: (taskId) => open.has(taskId),
    observe,
    dispose() {
      for (const taskId of open.keys()) end(taskId);
    },
  };
}
