// A separate process racing others for idempotency keys and one approval on a shared SQLite file.
// Usage: sqlite-claimer.ts FILE COUNT START_MS HASH. It waits until START_MS (an epoch time) so that
// processes started one by one overlap, claims keys k1..kCOUNT, then consumes approval "ap1" with
// HASH, printing one line per answer: "k<n> <status>" and "consume <true|false>".
import { sha256Hex } from '@estop/core/testing';
import { createSqliteStore } from '@estop/store-sqlite';

const [file = '', countText = '0', startText = '0', hash = ''] = process.argv.slice(2);
const store = createSqliteStore({ file, sha256: sha256Hex });
await store.migrate();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startText) - Date.now())));
const nowMs = Date.parse('2026-03-01T09:00:00.000Z');
for (let n = 1; n <= Number(countText); n += 1) {
  const claim = await store.idempotency.claim(`k${n}`, nowMs, 60_000);
  process.stdout.write(`k${n} ${claim.status}\n`);
}
process.stdout.write(`consume ${String(await store.approvals.consume('ap1', hash, new Date().toISOString()))}\n`);
await store.close();
