import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * Aborted when `cancelled` is while the agent is still there (`notifications/cancelled`); not when
 * the agent has gone away, which is marked on `gone` before the SDK aborts every request of a
 * closing session.
 */
export function cancelledWhilePresent(cancelled: AbortSignal, gone: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const follow = () => {
    if (!gone.aborted) controller.abort(cancelled.reason);
  };
  if (cancelled.aborted) follow();
  else cancelled.addEventListener('abort', follow, { once: true });
  return controller.signal;
}

const toolIndexes = new WeakMap<readonly Tool[], Map<string, Tool>>();

/** The tool named `name` in an upstream's list, looked up by an index kept per list. */
export function findTool(tools: readonly Tool[], name: string): Tool | undefined {
  let index = toolIndexes.get(tools);
  if (index === undefined) {
    index = new Map(tools.map((tool) => [tool.name, tool]));
    toolIndexes.set(tools, index);
  }
  return index.get(name);
}
