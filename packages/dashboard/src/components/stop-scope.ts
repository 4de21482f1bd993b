import type { Scope } from '../api/types.js';

/** The level a stop is made at: everything, or one tenant, agent, run or tool. */
export type ScopeKind = 'global' | 'tenant' | 'agent' | 'run' | 'tool';

/** The stop form's scope fields; blank strings are left out of the scope. */
export interface ScopeFields {
  kind: ScopeKind;
  tenant: string;
  agent: string;
  run: string;
  tool: string;
}

/** The scope the fields name (the tenant narrows an agent, run or tool when given). */
export function scopeOf(fields: ScopeFields): Scope {
  const scope: Scope = {};
  const tenant = fields.tenant.trim();
  if (fields.kind !== 'global' && tenant !== '') scope.tenant = tenant;
  if (fields.kind === 'agent') scope.agent = fields.agent.trim();
  if (fields.kind === 'run') scope.run = fields.run.trim();
  if (fields.kind === 'tool') scope.tool = fields.tool.trim();
  return scope;
}

const ASK = {
  tenant: "Enter the tenant's name",
  agent: "Enter the agent's name",
  run: 'Enter the run id',
  tool: "Enter the tool's name or glob",
} as const;

/**
 * What the chosen level still lacks, in words, or undefined once the fields name a scope. Until
 * then the form names no scope at all: an empty tenant is not a global stop.
 */
export function missingName(fields: ScopeFields): string | undefined {
  if (fields.kind === 'global') return undefined;
  return fields[fields.kind].trim() === '' ? ASK[fields.kind] : undefined;
}
