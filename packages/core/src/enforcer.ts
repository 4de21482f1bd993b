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
  /** ISO-8601 time it was last heard from. */
  lastSeenAt: string;
}
