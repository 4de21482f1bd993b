export type { BudgetName, BudgetUsage, Call, Decision, Mode, RunBudgets, StopReason } from '@estop/core';
export { EstopError, isEstopError } from '@estop/core';
export { createGuard } from './create-guard.js';
export type { Guard, GuardChange } from './guard.js';
export type { BreakGlassOptions, GuardOptions } from './guard-options.js';
export type { Run, RunOptions, RunState, ToolCallOptions, ToolContext } from './run.js';
export { CallDeniedError, RunStoppedError } from './run-stopped-error.js';
