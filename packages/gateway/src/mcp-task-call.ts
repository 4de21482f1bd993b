import {
  ErrorCode,
  McpError,
  type CallToolRequest,
  type CallToolResult,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import type { InFlightCall } from './in-flight-calls.js';
import type { UpstreamCallContext } from './mcp-agent-session.js';
import type { McpSessionTasks } from './mcp-tasks.js';
import type { McpUpstream } from './mcp-upstream-port.js';

/** The task an upstream's answer to a task-augmented `tools/call` created, if it is a `CreateTaskResult`. */
export function taskOf(result: unknown): Task | undefined {
  const task = (result as { task?: Partial<Task> } | null)?.task;
  if (task === undefined || typeof task.taskId !== 'string' || typeof task.status !== 'string') return undefined;
  return task as Task;
}

/**
 * Throws what a task-augmented `tools/call` that created no task (refused, drafted, cancelled,
 * not run) answers: an MCP error whose message is the result's text and whose data is the result.
 * The SDK's server answers a task-augmented call with a `CreateTaskResult` or an error only, so
 * the tool result the agent would get for a plain call cannot be given as a result.
 */
export function refusedTask(result: CallToolResult): never {
  const text = result.content
    .map((part) => (part.type === 'text' ? part.text : ''))
    .filter((part) => part !== '')
    .join('\n');
  throw new McpError(ErrorCode.InvalidRequest, text === '' ? 'estop: the call created no task' : text, { result });
}

/**
 * Forwards a task-augmented `tools/call` once it is allowed, and answers with the upstream's
 * `CreateTaskResult`. The call's `flight` is handed to the session's tasks with the task it
 * created, to stay in flight until the task ends; it ends here if no task was created.
 */
export async function forwardTaskCall(options: {
  upstream: McpUpstream;
  params: CallToolRequest['params'];
  flight: InFlightCall;
  /** The agent cancelled the request, or went away while it was a read. */
  cancelled: AbortSignal;
  context: Omit<UpstreamCallContext, 'signal'>;
  tasks: McpSessionTasks | undefined;
}): Promise<CallToolResult> {
  const { upstream, flight, tasks } = options;
  try {
    const signal = AbortSignal.any([flight.signal, options.cancelled]);
    const created = await upstream.request(
      { method: 'tools/call', params: options.params },
      { signal, context: { ...options.context, signal } },
    );
    const task = taskOf(created);
    if (task === undefined || tasks === undefined) flight.end();
    else tasks.created(task, flight);
    // The SDK's server checks it against CreateTaskResultSchema on its way to the agent.
    return created as CallToolResult;
  } catch (error) {
    flight.end();
    throw error;
  }
}
