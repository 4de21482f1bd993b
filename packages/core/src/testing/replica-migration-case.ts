import assert from 'node:assert/strict';
import type { Store } from '../ports/store.js';

const AT = '2026-03-01T09:00:00.000Z';

/** The columns of `estop_enforcers` as schema step 10 left them, before replicas' heartbeats. */
export const ENFORCER_COLUMNS_BEFORE_REPLICAS = 'id, name, kind, host, pid, version, in_flight, last_seen_at, tenant';

/**
 * Enforcer records as a database at schema step 10 holds them, values in
 * `ENFORCER_COLUMNS_BEFORE_REPLICAS` order: a tenant's and an unbound one.
 */
export const ENFORCERS_BEFORE_REPLICAS: readonly (readonly (string | number | null)[])[] = [
  ['sdk_acme', 'mailer', 'sdk', 'worker-1', 4242, 7, 1, AT, 'acme'],
  ['gw_fleet', 'gateway', 'gateway', null, null, 3, 0, AT, null],
];

/**
 * Migrates `store`, opened on a database at step 10 that holds `ENFORCERS_BEFORE_REPLICAS`, and
 * checks that the records are kept as they were, naming no replica, and that heartbeats and records
 * naming a replica work on the upgraded schema; then closes the store. Every SQL store's migration
 * test runs it.
 */
export async function expectEnforcersKeptThroughReplicas(store: Store): Promise<void> {
  try {
    await store.migrate();
    const before = [
      { id: 'sdk_acme', name: 'mailer', kind: 'sdk', host: 'worker-1', pid: 4242, version: 7, inFlight: 1 },
      { id: 'gw_fleet', name: 'gateway', kind: 'gateway', version: 3, inFlight: 0 },
    ];
    assert.deepEqual(await store.enforcers.list(), [
      { ...before[0], lastSeenAt: AT, tenant: 'acme' },
      { ...before[1], lastSeenAt: AT },
    ]);
    const later = '2026-03-01T09:00:10.000Z';
    await store.enforcers.upsert(
      [{ id: 'gw_fleet', name: 'gateway', kind: 'gateway', version: 4, inFlight: 0, lastSeenAt: AT, replica: 'r1' }],
      'r1',
    );
    await store.enforcers.heartbeat('r1', later);
    assert.deepEqual(
      (await store.enforcers.list({ seenSince: later })).map((record) => [
        record.id,
        record.replica,
        record.lastSeenAt,
      ]),
      [['gw_fleet', 'r1', later]],
    );
  } finally {
    await store.close();
  }
}

/** The columns of `estop_replicas` as schema step 11 left them, before the version a heartbeat vouches for. */
export const REPLICA_COLUMNS_BEFORE_APPLIED = 'id, seen_at';

/** A replica's heartbeat as a database at schema step 11 holds it, in `REPLICA_COLUMNS_BEFORE_APPLIED` order. */
export const REPLICAS_BEFORE_APPLIED: readonly (readonly string[])[] = [['r-old', AT]];

/**
 * Migrates `store`, opened on a database at step 11 that holds `REPLICAS_BEFORE_APPLIED`, and
 * checks that the heartbeat from before vouches for no version (a record naming its replica counts
 * at its own), and that a heartbeat on the upgraded schema vouches for one; then closes the store.
 * Every SQL store's migration test runs it.
 */
export async function expectHeartbeatsKeptThroughAppliedVersion(store: Store): Promise<void> {
  try {
    await store.migrate();
    const record = { id: 'sdk_on_old', name: 'mailer', kind: 'sdk' as const, version: 5, inFlight: 0 };
    await store.enforcers.upsert([{ ...record, lastSeenAt: '2026-03-01T08:59:00.000Z', replica: 'r-old' }], 'r-old');
    assert.deepEqual(await store.enforcers.list(), [{ ...record, lastSeenAt: AT, replica: 'r-old' }]);
    const later = '2026-03-01T09:00:10.000Z';
    await store.enforcers.heartbeat('r-old', later, 9);
    assert.deepEqual(await store.enforcers.list(), [{ ...record, version: 9, lastSeenAt: later, replica: 'r-old' }]);
  } finally {
    await store.close();
  }
}
