import { IdempotencyPolicy } from '@estop/sdk';
import type { Effect } from '@estop/core';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayConfig } from './gateway-config.js';
import { mcpToolEffect, mcpToolName } from './mcp-tool-effect.js';
import type { McpLogger } from './mcp-upstream.js';

/** How a tool's writes are deduped: for how long, and which configuration key says so. */
export interface DedupeRule {
  windowMs: number;
  key: string;
}

/** What the gateway says about deduping: which tools, and the first replay of each. */
export interface McpDedupe {
  /** True when a repeat of the tool's call may be answered with the first one's result. */
  dedupes(tool: Tool | undefined): boolean;
  /** Logs, for one server, which of its tools are deduped and for how long. */
  announce(server: string, tools: readonly Tool[], effects: Readonly<Record<string, Effect>>): void;
  /** Logs the first replay of each tool, naming the key that turns it off. */
  replayed(tool: string): void;
}

/**
 * The gateway's account of its deduping of writes (done by the guard): a tool that declares
 * `idempotentHint: true` is not deduped (a repeat is harmless by the server's own word), every
 * other write is, per `idempotency` in the configuration.
 */
export function createMcpDedupe(idempotency: GatewayConfig['idempotency'], logger?: McpLogger): McpDedupe {
  const policy = new IdempotencyPolicy({ windowMs: idempotency.window_ms, tools: idempotency.tools }, []);
  const replayedOnce = new Set<string>();
  const ruleFor = (tool: string): DedupeRule | undefined => {
    const rule = policy.ruleFor(tool);
    if (rule.window === false) return undefined;
    const key = rule.pattern === undefined ? 'idempotency.window_ms' : `idempotency.tools['${rule.pattern}']`;
    return { windowMs: rule.window, key };
  };
  const dedupes = (tool: Tool | undefined) => tool?.annotations?.idempotentHint !== true;
  return {
    dedupes,
    announce(server, tools, effects) {
      const deduped: Record<string, DedupeRule> = {};
      for (const tool of tools) {
        if (!dedupes(tool) || mcpToolEffect(effects, tool.name, tool) !== 'write') continue;
        const name = mcpToolName(server, tool.name);
        const rule = ruleFor(name);
        if (rule !== undefined) deduped[name] = rule;
      }
      logger?.info('mcp dedupes writes', {
        server,
        tools: deduped,
        note: "a repeat within the window gets the first result, marked _meta['estop/replayed']",
      });
    },
    replayed(tool) {
      if (replayedOnce.has(tool)) return;
      replayedOnce.add(tool);
      const key = ruleFor(tool)?.key ?? 'idempotency.window_ms';
      logger?.info('mcp replayed a duplicate write', {
        tool,
        key,
        hint: `set ${key.startsWith('idempotency.tools') ? key : `idempotency.tools['${tool}']`} to false to run every repeat`,
      });
    },
  };
}
