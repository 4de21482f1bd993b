import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the gateway offers an agent for an upstream: what the upstream offers (its resources'
 * subscriptions, logging, completions), with list changes always, since the gateway sends them
 * when the rules change what a caller may see. Before the upstream has connected its
 * capabilities are unknown: everything is offered, and requests it cannot serve fail there.
 * Tasks are offered as the upstream offers them, once it is known to.
 */
export function proxyCapabilities(upstream: ServerCapabilities | undefined): ServerCapabilities {
  const capabilities: ServerCapabilities = { tools: { listChanged: true } };
  if (upstream === undefined || upstream.resources !== undefined) {
    const subscribe = upstream === undefined || upstream.resources?.subscribe === true;
    capabilities.resources = { listChanged: true, ...(subscribe ? { subscribe: true } : {}) };
  }
  if (upstream === undefined || upstream.prompts !== undefined) capabilities.prompts = { listChanged: true };
  if (upstream === undefined || upstream.logging !== undefined) capabilities.logging = {};
  if (upstream === undefined || upstream.completions !== undefined) capabilities.completions = {};
  if (upstream?.tasks !== undefined) capabilities.tasks = upstream.tasks;
  if (upstream?.experimental !== undefined) capabilities.experimental = upstream.experimental;
  return capabilities;
}
