import { describeScope, notifyEventOf, type AuditEntry, type NotifyEvent } from '@estop/core';

/** Something to notify, before it is addressed to a receiver. */
export interface Notice {
  event: NotifyEvent;
  /** What it notifies, unique and stable: a delivery's id derives from it and the receiver. */
  source: string;
  /** The audit entry it notifies, if any. */
  seq?: number | undefined;
  /** ISO-8601 time of what happened. */
  at: string;
  /** One line for people. */
  text: string;
  /** The facts, as receivers parse them. */
  data: Record<string, unknown>;
}

/** The notice of an audit entry, or undefined when its action is not notified. */
export function noticeOfEntry(entry: AuditEntry): Notice | undefined {
  const event = notifyEventOf(entry);
  if (event === undefined) return undefined;
  const mode = typeof entry.data?.mode === 'string' ? ` ${entry.data.mode}` : '';
  const scope = entry.scope === undefined ? '' : ` on ${describeScope(entry.scope)}`;
  const reason = entry.reason === undefined ? '' : `: ${entry.reason}`;
  return {
    event,
    // The hash, not only the position: an entry of another database at the same position is another entry.
    source: `audit:${entry.hash}`,
    seq: entry.seq,
    at: entry.at,
    text: `estop ${event}${mode}${scope} by ${entry.actor.id}${reason}`,
    data: { entry },
  };
}
