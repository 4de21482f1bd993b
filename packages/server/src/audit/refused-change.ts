import type { Actor, AuditDraft, EstopError } from '@estop/core';
import { actorOf, type Principal } from '../tokens/principal.js';

/** Requests that an enforcer sends by the thousand and that change nothing anyone governs. */
const ROUTINE = [
  /^\/v1\/enforcers$/,
  /^\/v1\/enforcers\/acks$/,
  // Deregistrations: one per closing enforcer, as many as registrations where workers come and go.
  /^\/v1\/enforcers\/[^/]+$/,
  /^\/v1\/enforcers\/[^/]+\/ack$/,
  /^\/v1\/runs$/,
  /^\/v1\/runs\/[^/]+\/heartbeat$/,
];

/** The actor of a refused request whose token was not recognised. */
export const UNKNOWN_ACTOR: Actor = { id: 'unknown', kind: 'human' };

/**
 * Whether a refused request was an attempt to change something and so belongs in the audit log:
 * a 401 or 403 on a POST or DELETE under /v1, except enforcers' registrations, deregistrations,
 * acknowledgements and heartbeats (routine traffic, which would drown the log).
 */
export function isRefusedChange(method: string, path: string, error: EstopError): boolean {
  if (error.code !== 'unauthorized' && error.code !== 'forbidden') return false;
  if (method !== 'POST' && method !== 'DELETE') return false;
  if (!path.startsWith('/v1/')) return false;
  return !ROUTINE.some((pattern) => pattern.test(path));
}

/** The audit entry for a refused change: who tried (if known), what and why it was refused; never the token. */
export function refusedChangeDraft(options: {
  at: string;
  method: string;
  path: string;
  error: EstopError;
  principal: Principal | undefined;
}): AuditDraft {
  const { principal } = options;
  return {
    at: options.at,
    action: 'change-refused',
    actor: principal === undefined ? UNKNOWN_ACTOR : actorOf(principal),
    reason: options.error.message,
    scope: principal?.tenant === undefined ? undefined : { tenant: principal.tenant },
    data: { method: options.method, path: options.path, code: options.error.code },
  };
}
