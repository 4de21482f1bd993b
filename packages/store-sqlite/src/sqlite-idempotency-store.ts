import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { IdempotencyClaim, IdempotencyStore } from '@estop/core';
import { createCommitGroup } from './sqlite-commit-group.js';
import type { SqliteContext } from './sqlite-context.js';

/** Every this many claims, expired keys are swept, a bounded batch at a time. */
const SWEEP_EVERY = 256;
const SWEEP_BATCH = 256;

interface KeyRow {
  expires_at_ms: number;
  result: string | null;
}

interface TakeParameters {
  key: string;
  claimId: string;
  nowMs: number;
  expiresAtMs: number;
}

function prepare(db: Database.Database) {
  return {
    lookup: db.prepare<[string], KeyRow>('SELECT expires_at_ms, result FROM estop_idempotency_keys WHERE key = ?'),
    // Inserts the key, or takes over an expired one; changes nothing while the key is live.
    take: db.prepare<[TakeParameters]>(
      `INSERT INTO estop_idempotency_keys (key, claim_id, expires_at_ms) VALUES (@key, @claimId, @expiresAtMs)
       ON CONFLICT (key) DO UPDATE SET claim_id = excluded.claim_id, expires_at_ms = excluded.expires_at_ms,
         result = NULL
       WHERE estop_idempotency_keys.expires_at_ms <= @nowMs`,
    ),
    complete: db.prepare<[string, string, string]>(
      'UPDATE estop_idempotency_keys SET result = ? WHERE key = ? AND claim_id = ?',
    ),
    release: db.prepare<[string, string]>('DELETE FROM estop_idempotency_keys WHERE key = ? AND claim_id = ?'),
    sweep: db.prepare<[number, number]>(
      `DELETE FROM estop_idempotency_keys WHERE key IN
         (SELECT key FROM estop_idempotency_keys WHERE expires_at_ms <= ? LIMIT ?)`,
    ),
  };
}

/** What a live key tells a claimer; undefined if the key is absent or expired. */
function answer(row: KeyRow | undefined, nowMs: number): IdempotencyClaim | undefined {
  if (row === undefined || row.expires_at_ms <= nowMs) return undefined;
  return row.result === null ? { status: 'pending' } : { status: 'done', result: row.result };
}

/**
 * Idempotency keys on SQLite, shared by every process on the file. A duplicate is answered from a
 * plain read; claims, completions and releases are written in groups (see createCommitGroup),
 * each group one IMMEDIATE transaction holding the write lock, so two processes never both get
 * `claimed`, and a busy control plane syncs its WAL once per group rather than once per write.
 */
export function createSqliteIdempotencyStore(context: SqliteContext): IdempotencyStore {
  let prepared: ReturnType<typeof prepare> | undefined;
  // Prepared on first use, which comes after `migrate()` has made the table.
  const statements = () => (prepared ??= prepare(context.db));
  let claims = 0;

  const commit = createCommitGroup(context);
  // Runs inside a group's transaction, which holds the write lock.
  const take = (key: string, nowMs: number, ttlMs: number): IdempotencyClaim => {
    const claimId = randomUUID();
    const taken = statements().take.run({ key, claimId, nowMs, expiresAtMs: nowMs + ttlMs }).changes > 0;
    claims += 1;
    if (claims % SWEEP_EVERY === 0) statements().sweep.run(nowMs, SWEEP_BATCH);
    if (taken) return { status: 'claimed', claimId };
    // Not taken means live, and nobody can change that before this transaction ends.
    return answer(statements().lookup.get(key), nowMs) ?? { status: 'pending' };
  };

  return {
    // A duplicate is answered from a plain read; only a claim that may take the key waits for a commit.
    claim: (key, nowMs, ttlMs) => {
      let found: IdempotencyClaim | undefined;
      try {
        found = context.runNow(() => answer(statements().lookup.get(key), nowMs));
      } catch (error) {
        return Promise.reject(error);
      }
      return found === undefined ? commit(() => take(key, nowMs, ttlMs)) : Promise.resolve(found);
    },
    complete: (key, claimId, result) => commit(() => statements().complete.run(result, key, claimId).changes > 0),
    release: (key, claimId) => commit(() => statements().release.run(key, claimId).changes > 0),
  };
}
