import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { combineSignals } from '../combine-signals.js';
import { isDrafted } from '../drafted-call.js';
import { refusalMessage } from '../refusal-message.js';
import type { Run, ToolCallOptions } from '../run.js';
import { CallDeniedError } from '../run-stopped-error.js';
import { draftedToolResult } from './drafted-tool-result.js';
import { mcpToolEffect } from './mcp-tool-effect.js';
import { ToolErrorResult } from './tool-error-result.js';

/** The part of an MCP `Client` the guard wraps. */
export type McpToolClient = Pick<Client, 'callTool' | 'listTools'>;

/** Options for `guardMcpClient`. */
export interface GuardMcpClientOptions {
  /**
   * Names the server in decisions: tool `send_email` of server `mail` is decided as
   * `mail.send_email`, as the gateway names it, so a rule on `mail.*` covers the server.
   * Default: the tool's own name.
   */
  readonly server?: string | undefined;
  /** Per tool, by its MCP name: its effect, estimated cost, idempotency key (see `run.tool`). */
  readonly tools?: { readonly [toolName: string]: ToolCallOptions } | undefined;
}

type CallToolParams = Parameters<Client['callTool']>[0];
type CallToolAnswer = Awaited<ReturnType<Client['callTool']>>;

/**
 * Wraps an MCP client so each `callTool` goes through `run.tool`: decided by the guard first,
 * counted against the budgets, deduped when a write, and cancelled upstream (MCP
 * `notifications/cancelled`) when the run stops or a `cancelInFlight` rule refuses it. A tool's
 * effect is its `tools` option, else `read` when the server declares `readOnlyHint`, else
 * `write`. Everything else the client does passes through untouched.
 *
 * A refused call does not reach the server: the result is `isError` with text saying it was
 * refused and why, which a model can act on. A `draft_only` write is recorded and answered with
 * a result naming the draft; an `approval_gated` write waits for an operator (the request
 * options' `signal` ends the wait). A stopped run throws its `RunStoppedError`.
 *
 * @example
 * const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
 * const mail = guardMcpClient(run, client, { server: 'mail' });
 * const result = await mail.callTool({ name: 'send_email', arguments: { to: 'ceo@example.com' } });
 */
export function guardMcpClient<C extends McpToolClient>(run: Run, client: C, options: GuardMcpClientOptions = {}): C {
  const known = new Map<string, Tool>();
  const remember = (tools: readonly Tool[]) => {
    for (const tool of tools) known.set(tool.name, tool);
  };
  let listed: Promise<void> | undefined;
  /** The server's description of a tool, listed once (every page) when first needed. */
  const describe = async (name: string): Promise<Tool | undefined> => {
    if (!known.has(name)) {
      listed ??= listAll(client).then(remember, () => {
        listed = undefined; // a failed listing is tried again next time; meanwhile, a write
      });
      await listed;
    }
    return known.get(name);
  };

  const listTools: Client['listTools'] = async (params, requestOptions) => {
    const answer = await client.listTools(params, requestOptions);
    remember(answer.tools);
    return answer;
  };

  const callTool = async (
    params: CallToolParams,
    resultSchema?: Parameters<Client['callTool']>[1],
    requestOptions?: Parameters<Client['callTool']>[2],
  ): Promise<CallToolAnswer> => {
    const callOptions = options.tools?.[params.name] ?? {};
    const tool = await describe(params.name);
    const effect = mcpToolEffect(callOptions.effect, tool);
    const name = options.server === undefined ? params.name : `${options.server}.${params.name}`;
    let started = false;
    try {
      const result = await run.tool(
        name,
        params.arguments ?? {},
        async (_args, { signal }) => {
          started = true;
          const aborts = combineSignals(signal, requestOptions?.signal);
          let answer: CallToolAnswer;
          try {
            answer = await client.callTool(params, resultSchema, { ...requestOptions, signal: aborts });
          } catch (error) {
            // The MCP client reports an abort as its own error; the reason (a stop) is what counts.
            throw aborts.aborted ? aborts.reason : error;
          }
          if (answer.isError === true) throw new ToolErrorResult(answer as CallToolResult);
          return answer;
        },
        { ...callOptions, effect, signal: requestOptions?.signal },
      );
      return isDrafted(result) ? draftedToolResult(result, tool?.outputSchema !== undefined) : result;
    } catch (error) {
      if (error instanceof ToolErrorResult) return error.result;
      if (error instanceof CallDeniedError) {
        return { content: [{ type: 'text', text: `estop: ${refusalMessage(error, started)}` }], isError: true };
      }
      throw error;
    }
  };

  return new Proxy(client, {
    get(target, property) {
      if (property === 'callTool') return callTool;
      if (property === 'listTools') return listTools;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function listAll(client: McpToolClient): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? undefined : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}
