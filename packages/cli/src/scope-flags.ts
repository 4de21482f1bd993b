import type { Scope } from '@estop/core';
import { UsageError } from './command.js';

/** The `parseArgs` options that name a scope: `--tenant`, `--agent`, `--run`, `--tool`. */
export const SCOPE_OPTIONS = {
  tenant: { type: 'string' },
  agent: { type: 'string' },
  run: { type: 'string' },
  tool: { type: 'string' },
} as const;

/** The `parseArgs` options of a stop, as `estop kill` and `estop drill` take them: where, how and why. */
export const STOP_OPTIONS = {
  ...SCOPE_OPTIONS,
  global: { type: 'boolean', default: false },
  mode: { type: 'string' },
  reason: { type: 'string' },
} as const;

/** The scope the flags name (empty when none is given); an empty value is a UsageError. */
export function scopeFromFlags(values: Partial<Record<keyof typeof SCOPE_OPTIONS, string>>): Scope {
  const scope: Scope = {};
  for (const dimension of ['tenant', 'agent', 'run', 'tool'] as const) {
    const value = values[dimension];
    if (value === undefined) continue;
    if (value.trim() === '') throw new UsageError(`--${dimension} is empty`);
    scope[dimension] = value;
  }
  return scope;
}
