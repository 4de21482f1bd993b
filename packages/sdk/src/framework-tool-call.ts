import { combineSignals } from './combine-signals.js';
import type { DraftedCall } from './drafted-call.js';
import { refusalMessage } from './refusal-message.js';
import type { Run, ToolCallOptions } from './run.js';
import { CallDeniedError } from './run-stopped-error.js';

/** What a framework's tool call came to: the tool's result (or its draft), or a refusal for the model to read. */
export type FrameworkToolOutcome<Result> =
  { refused: false; result: Result | DraftedCall } | { refused: true; error: CallDeniedError; message: string };

/**
 * Runs a tool call that an agent framework makes through `run.tool`. The tool is invoked with
 * the run's signal joined to the framework's own `frameworkSignal`; a refusal comes back with
 * the message the model reads, which says whether the call was refused before it ran or
 * cancelled while it ran. Anything else thrown is the caller's.
 *
 * @example
 * const outcome = await runFrameworkTool(run, tool.name, input, (args, signal) => tool.invoke(args, { signal }), options, config.signal);
 */
export async function runFrameworkTool<Args, Result>(
  run: Run,
  name: string,
  args: Args,
  invoke: (args: Args, signal: AbortSignal) => Result | Promise<Result>,
  callOptions: ToolCallOptions | undefined,
  frameworkSignal: AbortSignal | undefined,
): Promise<FrameworkToolOutcome<Result>> {
  let started = false;
  try {
    const result = await run.tool(
      name,
      args,
      (callArgs, { signal }) => {
        started = true;
        return invoke(callArgs, combineSignals(signal, frameworkSignal));
      },
      { ...callOptions, signal: frameworkSignal },
    );
    return { refused: false, result };
  } catch (error) {
    if (error instanceof CallDeniedError) return { refused: true, error, message: refusalMessage(error, started) };
    throw error;
  }
}
