import { randomUUID } from 'node:crypto';
import { EstopError, RunBudgetsSchema, RunIdSchema } from '@estop/core';
import type { RunOptions } from './run.js';

const DEFAULT_MAX_DURATION_MS = 30 * 60_000;
const DEFAULT_HEARTBEAT_MS = 5_000;

/**
 * `startRun`'s options checked, with defaults filled in: a random `run_…` id, 30 minutes, a
 * heartbeat every 5 seconds. Throws `config_invalid` listing every problem at once.
 */
export function checkRunOptions(options: RunOptions): {
  id: string;
  budgets: RunOptions['budgets'];
  maxDurationMs: number;
  heartbeatMs: number;
} {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new EstopError({ code: 'config_invalid', message: 'startRun: options must be an object' });
  }
  if (typeof options.tenant !== 'string' || options.tenant.length === 0 || options.tenant.length > 200) {
    problems.push('tenant must be a string of 1 to 200 characters');
  }
  if (options.agent !== undefined && (typeof options.agent !== 'string' || options.agent.length === 0)) {
    problems.push('agent must be a non-empty string');
  }
  const id = options.id ?? `run_${randomUUID()}`;
  if (!RunIdSchema.safeParse(id).success) problems.push('id must be 1 to 200 letters, digits, _ . : or -');
  const budgets = RunBudgetsSchema.optional().safeParse(options.budgets);
  if (!budgets.success) {
    problems.push(
      `budgets: ${budgets.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
    );
  }
  const maxDurationMs = wholePositive(options.maxDurationMs, DEFAULT_MAX_DURATION_MS, 'maxDurationMs', problems);
  const heartbeatMs = wholePositive(options.heartbeatMs, DEFAULT_HEARTBEAT_MS, 'heartbeatMs', problems);
  if (heartbeatMs > 600_000) problems.push('heartbeatMs must be at most 600000');
  if (problems.length > 0) {
    throw new EstopError({
      code: 'config_invalid',
      message: `startRun: ${problems.join('; ')}`,
      details: { problems },
    });
  }
  return { id, budgets: budgets.success ? budgets.data : undefined, maxDurationMs, heartbeatMs };
}

function wholePositive(value: number | undefined, fallback: number, field: string, problems: string[]): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) problems.push(`${field} must be a whole positive number of milliseconds`);
  return value;
}
