import type { Actor } from './actor.js';

/** A write that `draft_only` kept from running: recorded, not executed. */
export interface Draft {
  id: string;
  tenant: string;
  agent?: string | undefined;
  run?: string | undefined;
  tool: string;
  /** The call's arguments, as JSON. */
  args: unknown;
  /** The `draft_only` rule that turned the call into a draft. */
  ruleId?: string | undefined;
  /** The enforcer that recorded it. */
  enforcer?: string | undefined;
  /** Who made the call: the enforcer's token identity (an agent). */
  actor: Actor;
  /** ISO-8601 time the call was made. */
  at: string;
}
