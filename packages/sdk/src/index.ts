export type { Call, Decision, Mode } from '@estop/core';
export { EstopError, isEstopError } from '@estop/core';
export { createGuard } from './create-guard.js';
export type { Guard, GuardChange } from './guard.js';
export type { BreakGlassOptions, GuardOptions } from './guard-options.js';
