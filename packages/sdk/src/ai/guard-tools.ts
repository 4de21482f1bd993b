import type { ToolSet } from 'ai';
import { combineSignals } from '../combine-signals.js';
import type { Run, ToolCallOptions } from '../run.js';

/** Per tool, by its key in the tools record: its effect and estimated cost (see `run.tool`). */
export type GuardToolsOptions<Tools extends ToolSet> = { readonly [Name in keyof Tools]?: ToolCallOptions };

/**
 * Wraps a Vercel AI SDK tools record so every `execute` goes through `run.tool`: the guard
 * decides the call first, the budgets are reserved, and the tool's `abortSignal` aborts when
 * the run stops or a `cancelInFlight` rule refuses the call, as well as when the framework's
 * own `abortSignal` does. A refused call throws a `CallDeniedError` (a stopped run a
 * `RunStoppedError`) out of `execute`, which the AI SDK hands to the model as a `tool-error`
 * whose text is the refusal. Under `draft_only` the write is recorded, not run, and the model
 * gets the `DraftedCall` (`{drafted: true, draftId, tool, message}`) as the tool's output; an
 * `approval_gated` write waits for an operator within `execute`. Tools without `execute`
 * (answered by the client) pass unchanged.
 *
 * A tool whose `execute` yields preliminary results is drained inside the call, so the call
 * counts as running until its last value; the model gets that last value.
 *
 * @example
 * const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
 * const result = await generateText({
 *   model,
 *   tools: guardTools(run, { sendEmail, lookUp }, { sendEmail: { effect: 'write' }, lookUp: { effect: 'read' } }),
 *   abortSignal: run.signal,
 *   prompt,
 * });
 */
export function guardTools<Tools extends ToolSet>(
  run: Run,
  tools: Tools,
  options: GuardToolsOptions<Tools> = {},
): Tools {
  const guarded: ToolSet = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = tool.execute;
    if (execute === undefined) {
      guarded[name] = tool;
      continue;
    }
    const callOptions: ToolCallOptions | undefined = options[name as keyof Tools];
    guarded[name] = {
      ...tool,
      execute: (input: unknown, execution) =>
        run.tool(
          name,
          input,
          (args, { signal }) =>
            lastValue(execute(args, { ...execution, abortSignal: combineSignals(signal, execution.abortSignal) })),
          { ...callOptions, signal: execution.abortSignal },
        ),
    };
  }
  return guarded as Tools;
}

async function lastValue<Output>(result: AsyncIterable<Output> | PromiseLike<Output> | Output): Promise<Output> {
  if (!isAsyncIterable(result)) return await result;
  let last: Output | undefined;
  for await (const value of result) last = value;
  return last as Output;
}

function isAsyncIterable<Output>(value: unknown): value is AsyncIterable<Output> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
