import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The control plane's Prometheus metrics. */
export interface Metrics {
  registry: Registry;
  rulesActive: Gauge;
  enforcersConnected: Gauge;
  stateVersion: Gauge;
  propagation: Histogram;
  requests: Counter<'code'>;
  /** Sentinel crossings by sentinel: `tripped` (a rule made) or `would_trip` (a sentinel in shadow). */
  sentinelTrips: Counter<'sentinel' | 'outcome'>;
  /**
   * Versions committed by other replicas and applied here, by what found them: `notify` (the
   * store announced the commit) or `poll` (the safety net, when an announcement was missed).
   */
  replicaChanges: Counter<'via'>;
  /**
   * Rows this replica wrote to the store's enforcer tables: enforcer records (written when one
   * changes) and its heartbeats (one a second while it holds streams). Flat, not growing with
   * its connected enforcers, while they are quiet.
   */
  storeEnforcerWrites: Counter;
}

/** A fresh registry with estop's metrics (one per control plane, so tests can run several). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  return {
    registry,
    rulesActive: new Gauge({ name: 'estop_rules_active', help: 'Active rules', registers: [registry] }),
    enforcersConnected: new Gauge({
      name: 'estop_enforcers_connected',
      help: 'Enforcers with an open stream to this replica',
      registers: [registry],
    }),
    stateVersion: new Gauge({ name: 'estop_state_version', help: 'Current state version', registers: [registry] }),
    propagation: new Histogram({
      name: 'estop_propagation_seconds',
      help: 'Time from a commit to each enforcer acknowledging it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'estop_http_responses_total',
      help: 'HTTP responses by status code',
      labelNames: ['code'],
      registers: [registry],
    }),
    sentinelTrips: new Counter({
      name: 'estop_sentinel_trips_total',
      help: 'Sentinel thresholds crossed, by sentinel and outcome: tripped (a rule) or would_trip (in shadow)',
      labelNames: ['sentinel', 'outcome'],
      registers: [registry],
    }),
    replicaChanges: new Counter({
      name: 'estop_replica_changes_total',
      help: "Other replicas' versions applied here, by what found them: notify (announced) or poll (safety net)",
      labelNames: ['via'],
      registers: [registry],
    }),
    storeEnforcerWrites: new Counter({
      name: 'estop_store_enforcer_writes_total',
      help: "Rows this replica wrote to the store's enforcer tables: changed enforcer records and its heartbeats",
      registers: [registry],
    }),
  };
}
