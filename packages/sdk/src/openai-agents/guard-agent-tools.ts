import type { Tool } from '@openai/agents-core';
import type { Run, ToolCallOptions } from '../run.js';
import { isDrafted } from '../drafted-call.js';
import { runFrameworkTool } from '../framework-tool-call.js';

/** Per function tool, by its name: its effect and estimated cost (see `run.tool`). */
export type GuardAgentToolsOptions = { readonly [toolName: string]: ToolCallOptions };

/**
 * Wraps an OpenAI Agents SDK agent's tools so each function tool's call goes through
 * `run.tool`: the guard decides it first, the budgets are reserved, and the `signal` the
 * tool's `execute` gets in its details aborts when the run stops or a `cancelInFlight` rule
 * refuses the call, as well as when the agent run's own signal does.
 *
 * Under `draft_only` a write is recorded, not run, and the model gets the `DraftedCall`'s
 * message (not executed, the draft's id) as the tool's output; an `approval_gated` write waits
 * for an operator, and the agent run's signal ends the wait.
 *
 * A refused call does not run; the model gets, as the tool's output, a message saying it was
 * refused (or, under a `cancelInFlight` rule, cancelled) and why, so it can tell the user or try something else. A stopped run is not a
 * refusal to work around: its `RunStoppedError` is thrown, which ends the agent run. Hosted,
 * computer, shell and patch tools pass unchanged.
 *
 * @example
 * const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
 * const agent = new Agent({
 *   name: 'mailer',
 *   tools: guardAgentTools(run, [sendEmail, lookUp], { send_email: { effect: 'write' } }),
 * });
 * await runAgent(agent, 'Send the report to Ada', { signal: run.signal });
 */
export function guardAgentTools<Context, Tools extends readonly Tool<Context>[]>(
  run: Run,
  tools: Tools,
  options: GuardAgentToolsOptions = {},
): Tools {
  return tools.map((tool) => (tool.type === 'function' ? guardFunctionTool(run, tool, options[tool.name]) : tool)) as [
    ...Tools,
  ];
}

function guardFunctionTool<Context>(
  run: Run,
  tool: Extract<Tool<Context>, { type: 'function' }>,
  callOptions: ToolCallOptions | undefined,
): Tool<Context> {
  return {
    ...tool,
    invoke: async (runContext, input, details) => {
      const outcome = await runFrameworkTool(
        run,
        tool.name,
        input,
        (args, signal) => {
          // The framework keys what it has prepared for this call by the details object
          // itself, so the signal is set on it rather than on a copy.
          const callDetails = details ?? {};
          callDetails.signal = signal;
          return tool.invoke(runContext, args, callDetails);
        },
        callOptions,
        details?.signal,
      );
      if (outcome.refused) return outcome.message;
      // A write kept as a draft: the model reads that it was not executed, and the draft's id.
      return isDrafted(outcome.result) ? outcome.result.message : outcome.result;
    },
  };
}
