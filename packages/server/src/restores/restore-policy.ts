import { MODES, MODE_TABLE, type RestoreClass } from '@estop/core';
import { z } from 'zod';

/** Which lifts need a second admin, and how long a rule must stand before it can be lifted. */
export interface RestorePolicy {
  /** Classes of rules whose lift waits for a different admin to confirm. */
  secondApprover: readonly RestoreClass[];
  /** How long after its creation a rule can first be lifted, in milliseconds. */
  cooldownMs: number;
  /** How long a restore request waits for its confirmation before it expires, in milliseconds. */
  requestTtlMs: number;
}

/**
 * The default: global rules and the modes whose lift the mode table governs (full stops) need a
 * second admin; no cooldown; requests last an hour.
 */
export const DEFAULT_RESTORE_POLICY: RestorePolicy = {
  secondApprover: ['global', ...MODES.filter((mode) => MODE_TABLE[mode].governedLift)],
  cooldownMs: 0,
  requestTtlMs: 60 * 60_000,
};

/** One class in `restore.second_approver`: `global` or a mode name. */
export const RestoreClassSchema = z.enum(['global', ...MODES]);
