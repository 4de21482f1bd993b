import type { Actor } from './actor.js';
import type { Mode } from './modes.js';
import type { Rule } from './rule.js';
import { isGlobalScope, type Scope } from './scope.js';

/**
 * A lift (or a staged replacement, when `to` is set) that waits for a second admin: rules in a
 * governed class stay in force until a different identity confirms.
 */
export interface RestoreRequest {
  id: string;
  ruleId: string;
  /** The rule's scope, so tenant-bound admins see only their tenant's requests. */
  scope: Scope;
  /** The rule's mode when the request was made. */
  mode: Mode;
  /** When set, the rule is replaced by one of this less restrictive mode rather than lifted. */
  to?: Mode | undefined;
  requestedBy: Actor;
  reason: string;
  /** ISO-8601 time of the request. */
  at: string;
  /** True when the asker lifts a sentinel's trip although its cause continues (see `force`). */
  force?: true | undefined;
}

/** How a restore request stopped being pending. */
export interface RestoreResolution {
  /** `confirmed` by a second admin, or `voided` because the rule was lifted some other way. */
  outcome: 'confirmed' | 'voided';
  actor: Actor;
  reason: string;
  /** ISO-8601 time of the resolution. */
  at: string;
}

/** A restore request together with its resolution, once it has one. */
export interface RestoreRequestRecord {
  request: RestoreRequest;
  resolution?: RestoreResolution | undefined;
}

/**
 * Classes of rules whose lift needs a second admin: `global` (the empty scope) or a mode name.
 */
export type RestoreClass = 'global' | Mode;

/** True when lifting `rule` needs a second admin under `classes`. */
export function needsSecondApprover(rule: Pick<Rule, 'scope' | 'mode'>, classes: readonly RestoreClass[]): boolean {
  return classes.some((restoreClass) =>
    restoreClass === 'global' ? isGlobalScope(rule.scope) : restoreClass === rule.mode,
  );
}
