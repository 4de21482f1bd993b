import type { Effect } from './call.js';
import type { Rule, RuleLift } from './rule.js';

/** The whole enforceable state at one version: active rules and known tool effects. */
export interface StateSnapshot {
  version: number;
  rules: Rule[];
  tools: Record<string, Effect>;
  /**
   * The store's identity, written once when its schema was created: versions count up within
   * one store, so an enforcer holding a newer version than a snapshot tells a replica that is
   * behind (same store) from a store that was reset (another id). Absent from control planes
   * that predate it.
   */
  storeId?: string | undefined;
}

/** One change within a version. */
export type Change = { type: 'rule-created'; rule: Rule } | { type: 'rule-lifted'; lift: RuleLift };

/** What moved the state from `version - 1` to `version`. */
export interface ChangeEvent {
  version: number;
  /** ISO-8601 time of the commit. */
  at: string;
  changes: Change[];
}

/**
 * Applies a change event to a snapshot. The event must be the next version;
 * anything else is a gap, and the caller must resync from a fresh snapshot.
 */
export function applyChange(snapshot: StateSnapshot, event: ChangeEvent): StateSnapshot | undefined {
  if (event.version !== snapshot.version + 1) return undefined;
  let rules = snapshot.rules;
  for (const change of event.changes) {
    if (change.type === 'rule-created') rules = [...rules.filter((rule) => rule.id !== change.rule.id), change.rule];
    else rules = rules.filter((rule) => rule.id !== change.lift.ruleId);
  }
  return { ...snapshot, version: event.version, rules };
}

/** The start of a stream that continues from a version the client holds, instead of a snapshot. */
export interface StreamResume {
  /** The version the stream continues from: the client's own; the changes after it follow. */
  version: number;
  /** The control plane's tool effects, as a snapshot would carry them. */
  tools: StateSnapshot['tools'];
  /** The store's identity, as a snapshot would carry it. */
  storeId?: string | undefined;
}

/**
 * The state a resumed stream starts from: the client's snapshot with the control plane's tool
 * effects. Undefined when the resume names another version than the snapshot's, or another
 * store: the client must then resync from a fresh snapshot.
 */
export function applyResume(snapshot: StateSnapshot, resume: StreamResume): StateSnapshot | undefined {
  if (resume.version !== snapshot.version) return undefined;
  if (resume.storeId !== undefined && snapshot.storeId !== undefined && resume.storeId !== snapshot.storeId) {
    return undefined;
  }
  const next: StateSnapshot = { version: snapshot.version, rules: snapshot.rules, tools: resume.tools };
  const storeId = resume.storeId ?? snapshot.storeId;
  if (storeId !== undefined) next.storeId = storeId;
  return next;
}
