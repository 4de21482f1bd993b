import type { Call, Effect } from '@estop/core';
import type { DraftedCall } from './drafted-call.js';
import type { ExecuteOptions } from './execute-options.js';

/** Whom wrapped tools act for, and what each does. */
export interface WrapOptions {
  tenant: string;
  agent?: string | undefined;
  run?: string | undefined;
  /**
   * Per tool name, `read` or `write`. The control plane's tool effects win; a tool neither
   * names is a write.
   */
  effects?: Readonly<Record<string, Effect>> | undefined;
}

/** A function of one argument: a tool as `guard.wrap` takes it. */
export type ToolFunction = (args: never) => unknown;

/** Each tool, going through `guard.execute`: it may resolve with a draft, and takes the call's options. */
export type GuardedTools<Tools extends Record<string, ToolFunction>> = {
  [Name in keyof Tools]: (
    args: Parameters<Tools[Name]>[0],
    options?: ExecuteOptions<Awaited<ReturnType<Tools[Name]>>>,
  ) => Promise<Awaited<ReturnType<Tools[Name]>> | DraftedCall>;
};

/** Wraps a record of tool functions so each call goes through `execute`; see `Guard.wrap`. */
export function wrapTools<Tools extends Record<string, ToolFunction>>(
  execute: <Args, Result>(
    call: Call,
    args: Args,
    fn: (args: Args) => Result | Promise<Result>,
    options?: ExecuteOptions<Result>,
  ) => Promise<Result | DraftedCall>,
  tools: Tools,
  options: WrapOptions,
): GuardedTools<Tools> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const call: Call = {
      tenant: options.tenant,
      agent: options.agent,
      run: options.run,
      tool: name,
      effect: options.effects?.[name],
    };
    const fn = tool as (args: unknown) => unknown;
    wrapped[name] = (args: unknown, callOptions?: ExecuteOptions) => execute(call, args, fn, callOptions);
  }
  return wrapped as GuardedTools<Tools>;
}
