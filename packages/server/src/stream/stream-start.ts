import type { ChangeEvent, Scope, StateSnapshot } from '@estop/core';
import { canSee, type Principal } from '../tokens/principal.js';
import type { StateHistory } from './state-history.js';

/** Beyond this many versions behind, a snapshot is sent rather than the changes. */
export const MAX_RESUME_CHANGES = 1000;

/**
 * How a state stream starts: with a snapshot, or, for a client that holds a version
 * (`Last-Event-ID`), by resuming from it with the changes the client misses (those after
 * `version` up to the hub's version, filtered for the principal as live changes are).
 */
export type StreamStart = { kind: 'snapshot' } | { kind: 'resume'; version: number; changes: ChangeEvent[] };

/**
 * Decides how a stream starts for a client holding `resumeFrom`, with `base` the hub's state
 * when the stream subscribed. A resume is offered only when the store holds every version
 * between the client's and the hub's; a snapshot is the answer to anything else, since it is
 * always right. A client ahead of this replica (it came from a replica that had heard of a
 * newer commit) resumes too, when the store has its version: this replica's hub catches up
 * within a poll, and the stream sends what comes after the client's version. When the store
 * cannot be read (PostgreSQL away), a snapshot of this replica's state: enforcers keep connecting.
 */
export async function planStreamStart(options: {
  resumeFrom: number | undefined;
  base: StateSnapshot;
  history: StateHistory;
  principal: Principal;
}): Promise<StreamStart> {
  return planFromHistory(options).catch((): StreamStart => ({ kind: 'snapshot' }));
}

async function planFromHistory(options: Parameters<typeof planStreamStart>[0]): Promise<StreamStart> {
  const { resumeFrom, base, history, principal } = options;
  if (resumeFrom === undefined) return { kind: 'snapshot' };
  if (resumeFrom === base.version) return { kind: 'resume', version: resumeFrom, changes: [] };
  if (resumeFrom > base.version) {
    const [event] = await history.changesSince(resumeFrom - 1, 1);
    return event?.version === resumeFrom ? { kind: 'resume', version: resumeFrom, changes: [] } : { kind: 'snapshot' };
  }
  const missing = base.version - resumeFrom;
  if (missing > MAX_RESUME_CHANGES) return { kind: 'snapshot' };
  const events = await history.changesSince(resumeFrom, missing);
  // A version the store no longer holds (or never did: another store) cannot be resumed across.
  if (events.length !== missing || events.some((event, index) => event.version !== resumeFrom + 1 + index)) {
    return { kind: 'snapshot' };
  }
  const changes = await visibleChanges(principal, events, base, history);
  return changes === undefined ? { kind: 'snapshot' } : { kind: 'resume', version: resumeFrom, changes };
}

/**
 * The events as a tenant's client sees them: changes about other tenants' rules left out, the
 * versions kept, as the live stream does. A lift is seen when the lifted rule is; the rule's
 * scope comes from the events themselves, the current state or the store. Undefined when a
 * lifted rule is nowhere to be found.
 */
async function visibleChanges(
  principal: Principal,
  events: ChangeEvent[],
  base: StateSnapshot,
  history: StateHistory,
): Promise<ChangeEvent[] | undefined> {
  if (principal.tenant === undefined) return events;
  const scopes = new Map<string, Scope>(base.rules.map((rule) => [rule.id, rule.scope]));
  const visible: ChangeEvent[] = [];
  for (const event of events) {
    const changes: ChangeEvent['changes'] = [];
    for (const change of event.changes) {
      let scope: Scope | undefined;
      if (change.type === 'rule-created') {
        scope = change.rule.scope;
        scopes.set(change.rule.id, scope);
      } else {
        scope = scopes.get(change.lift.ruleId) ?? (await history.scopeOf(change.lift.ruleId));
        if (scope === undefined) return undefined;
      }
      if (canSee(principal, scope)) changes.push(change);
    }
    visible.push({ ...event, changes });
  }
  return visible;
}
