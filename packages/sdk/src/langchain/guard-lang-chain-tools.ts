import { ToolMessage, type ToolCall } from '@langchain/core/messages';
import type { StructuredToolInterface, ToolRunnableConfig } from '@langchain/core/tools';
import { isDrafted } from '../drafted-call.js';
import { runFrameworkTool } from '../framework-tool-call.js';
import type { Run, ToolCallOptions } from '../run.js';

/** Per tool, by its name: its effect and estimated cost (see `run.tool`). */
export type GuardLangChainToolsOptions = { readonly [toolName: string]: ToolCallOptions };

/**
 * Wraps LangChain.js tools so each `invoke` goes through `run.tool`: the guard decides the
 * call first, the budgets are reserved, and the `signal` in the config the tool runs with
 * aborts when the run stops or a `cancelInFlight` rule refuses the call, as well as when the
 * caller's own `config.signal` does. The wrapped tool keeps the original's name, description
 * and schema, so it binds to a chat model and runs in a `ToolNode` as before.
 *
 * A refused call does not run. Invoked with a tool call (as an agent does), it returns a
 * `ToolMessage` with status `error` saying it was refused and why, which the model reads;
 * invoked with bare arguments, it throws the `CallDeniedError`. A stopped run throws its
 * `RunStoppedError` either way. Under `draft_only` a write is recorded, not run: invoked with a
 * tool call, the result is a `ToolMessage` whose content is the `DraftedCall`'s message (not
 * executed, the draft's id) with the `DraftedCall` as its artifact; with bare arguments, the
 * `DraftedCall` itself. An `approval_gated` write waits for an operator; `config.signal` ends
 * the wait.
 *
 * @example
 * const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
 * const tools = guardLangChainTools(run, [sendEmail, lookUp], { send_email: { effect: 'write' } });
 * const message = await tools[0].invoke(aiMessage.tool_calls[0], { signal: run.signal });
 */
export function guardLangChainTools<Tools extends StructuredToolInterface[]>(
  run: Run,
  tools: [...Tools],
  options: GuardLangChainToolsOptions = {},
): Tools {
  return tools.map((tool) => guardLangChainTool(run, tool, options[tool.name])) as Tools;
}

/** Wraps one LangChain.js tool; see `guardLangChainTools`. */
export function guardLangChainTool<Tool extends StructuredToolInterface>(
  run: Run,
  tool: Tool,
  callOptions?: ToolCallOptions,
): Tool {
  // Everything but `invoke` (name, schema, batch and stream, which call `invoke`) comes from
  // the original through the prototype chain.
  const guarded = Object.create(tool) as Tool;
  const invoke = async (input: unknown, config?: ToolRunnableConfig): Promise<unknown> => {
    const toolCall = isToolCall(input) ? input : config?.toolCall;
    const args = isToolCall(input) ? input.args : input;
    const outcome = await runFrameworkTool(
      run,
      tool.name,
      args,
      (_args, signal) => tool.invoke(input as never, { ...config, signal }),
      callOptions,
      config?.signal,
    );
    if (outcome.refused) {
      if (toolCall?.id === undefined) throw outcome.error;
      return new ToolMessage({ content: outcome.message, tool_call_id: toolCall.id, name: tool.name, status: 'error' });
    }
    const { result } = outcome;
    if (isDrafted(result) && toolCall?.id !== undefined) {
      // A write kept as a draft: the model reads that it was not executed; the draft rides along as the artifact.
      return new ToolMessage({ content: result.message, tool_call_id: toolCall.id, name: tool.name, artifact: result });
    }
    return result;
  };
  Object.defineProperty(guarded, 'invoke', { value: invoke, writable: true, configurable: true });
  return guarded;
}

function isToolCall(input: unknown): input is ToolCall {
  return typeof input === 'object' && input !== null && (input as { type?: unknown }).type === 'tool_call';
}
