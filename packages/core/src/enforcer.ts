/** What kind of enforcement point an enforcer is. */
export type EnforcerKind = 'sdk' | 'gateway';

/** An enforcement point as the control plane knows it. */
export interface EnforcerRecord {
  id: string;
  name: string;
  kind: EnforcerKind;
  host?: string | undefined;
  pid?: number | undefined;
  /**
   * The tenant the registering token is bound to, if any: a tenant-bound enforcer is that
   * tenant's, and only that tenant's tokens (and unbound ones) see it, on every replica.
   */
  tenant?: string | undefined;
  /** The state version this enforcer last acknowledged as applied. */
  version: number;
  /** Calls it reported as running at its last acknowledgement. */
  inFlight: number;
  /**
   * ISO-8601 time it was last heard from. While a replica holds its stream, that replica's last
   * heartbeat (or the record's last write, if later): the record itself is written only on a change.
   */
  lastSeenAt: string;
  /**
   * The replica (its process id, random at start) holding its stream; absent while no replica
   * does. It counts as connected while that replica's heartbeat is recent.
   */
  replica?: string | undefined;
}
