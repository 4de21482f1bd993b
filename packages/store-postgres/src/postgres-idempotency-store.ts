import { randomUUID } from 'node:crypto';
import type { IdempotencyClaim, IdempotencyStore } from '@estop/core';
import type { PostgresContext } from './postgres-context.js';

/** Every this many claims that reach the write path, expired keys are swept, a bounded batch at a time. */
const SWEEP_EVERY = 256;
const SWEEP_BATCH = 256;

interface KeyRow {
  live: boolean;
  result: string | null;
}

// Takes the key if it is absent or expired; otherwise rewrites it unchanged. Either way the row
// comes back as it now stands, locked by this statement, so two claimers never both see `claimed`.
const TAKE = `
  INSERT INTO estop_idempotency_keys AS held (key, claim_id, expires_at_ms) VALUES ($1, $2, $3)
  ON CONFLICT (key) DO UPDATE SET
    claim_id = CASE WHEN held.expires_at_ms <= $4 THEN excluded.claim_id ELSE held.claim_id END,
    expires_at_ms = CASE WHEN held.expires_at_ms <= $4 THEN excluded.expires_at_ms ELSE held.expires_at_ms END,
    result = CASE WHEN held.expires_at_ms <= $4 THEN NULL ELSE held.result END
  RETURNING claim_id = $2 AS claimed, result`;

function answer(row: KeyRow): IdempotencyClaim {
  return row.result === null ? { status: 'pending' } : { status: 'done', result: row.result };
}

/**
 * Idempotency keys on PostgreSQL, shared by every replica on the database. A duplicate is answered
 * from a plain read; only a key that looks absent or expired goes through the one-statement claim.
 */
export function createPostgresIdempotencyStore(context: PostgresContext): IdempotencyStore {
  let claims = 0;
  return {
    async claim(key, callerNowMs, ttlMs) {
      // Whole milliseconds: the columns are bigint, and a fractional clock reading would be refused.
      const nowMs = Math.floor(callerNowMs);
      const seen = await context.query<KeyRow>(
        'SELECT expires_at_ms > $2 AS live, result FROM estop_idempotency_keys WHERE key = $1',
        [key, nowMs],
      );
      if (seen[0]?.live === true) return answer(seen[0]);
      const claimId = randomUUID();
      const rows = await context.query<{ claimed: boolean; result: string | null }>(TAKE, [
        key,
        claimId,
        nowMs + Math.ceil(ttlMs),
        nowMs,
      ]);
      claims += 1;
      if (claims % SWEEP_EVERY === 0) {
        await context.query(
          `DELETE FROM estop_idempotency_keys WHERE key IN
             (SELECT key FROM estop_idempotency_keys WHERE expires_at_ms <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [nowMs, SWEEP_BATCH],
        );
      }
      const row = rows[0];
      if (row?.claimed === true) return { status: 'claimed', claimId };
      return answer({ live: true, result: row?.result ?? null });
    },
    async complete(key, claimId, result) {
      const rows = await context.query(
        'UPDATE estop_idempotency_keys SET result = $1 WHERE key = $2 AND claim_id = $3 RETURNING key',
        [result, key, claimId],
      );
      return rows.length > 0;
    },
    async release(key, claimId) {
      const rows = await context.query(
        'DELETE FROM estop_idempotency_keys WHERE key = $1 AND claim_id = $2 RETURNING key',
        [key, claimId],
      );
      return rows.length > 0;
    },
  };
}
