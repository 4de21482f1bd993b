// A separate process writing to a shared SQLite file, for the tests of several processes and of
// kill -9. Usage: sqlite-writer.ts FILE NAME COUNT [START_MS] (COUNT 0 writes until killed; START_MS
// is an epoch time to wait for, so that writers started one by one still overlap). It prints each
// version once its commit has resolved, i.e. once the store has reported it done.
import { sha256Hex } from '@estop/core/testing';
import { createSqliteStore } from '@estop/store-sqlite';

const [file = '', name = 'writer', countText = '0', startText = '0'] = process.argv.slice(2);
const count = Number(countText);
const store = createSqliteStore({ file, sha256: sha256Hex });
await store.migrate();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startText) - Date.now())));
const actor = { id: name, kind: 'agent' } as const;
for (let n = 1; count === 0 || n <= count; n += 1) {
  const at = new Date().toISOString();
  const id = `${name}-${n}`;
  const rule = {
    id,
    scope: { agent: name },
    mode: 'full_stop',
    reason: 'test',
    actor,
    createdAt: at,
    cancelInFlight: false,
  } as const;
  const { event } = await store.rules.commit({
    create: [rule],
    audit: [{ at, action: 'rule-created', actor, ruleId: id }],
    at,
  });
  await store.audit.append([
    { at, action: 'rule-expired', actor, ruleId: id },
    { at, action: 'rule-expired', actor, ruleId: id, data: { n } },
  ]);
  process.stdout.write(`${event.version}\n`);
}
await store.close();
