import assert from 'node:assert/strict';
import type { Store } from '../ports/store.js';

/**
 * Writes two rules, a lift, a token and an enforcer through a store from `open()`, closes it, and
 * checks that a second store from `open()` on the same data sees all of it (the state, the lifted
 * rule, the events, the audit chain and its head, the tokens, the enforcers) and continues the
 * versions. Every store that keeps data beyond its process runs it.
 *
 * @example
 * await expectDataSurvivesReopen(() => openStore(file));
 */
export async function expectDataSurvivesReopen(open: () => Promise<Store>): Promise<void> {
  const first = await open();
  const actor = { id: 'ops', kind: 'human' } as const;
  const at = '2026-03-01T09:00:00.000Z';
  const rule = {
    id: 'r1',
    scope: { tool: 'email.*' },
    mode: 'read_only',
    reason: 'why',
    actor,
    createdAt: at,
    cancelInFlight: true,
  } as const;
  await first.rules.commit({
    create: [rule, { ...rule, id: 'r2' }],
    audit: [{ at, action: 'rule-created', actor }],
    at,
  });
  await first.rules.commit({ lift: [{ ruleId: 'r2', actor, reason: 'done', at, expired: false }], audit: [], at });
  await first.tokens.create(
    { id: 't1', name: 'n', principalId: 'p_n', role: 'admin', hash: 'h', createdAt: at, createdBy: 'ops' },
    { at, action: 'token-created', actor },
  );
  await first.enforcers.upsert([{ id: 'e1', name: 'w', kind: 'gateway', version: 2, inFlight: 0, lastSeenAt: at }]);
  const seen = async (store: Store) => ({
    state: await store.rules.state(),
    lifted: await store.rules.get('r2'),
    events: await store.rules.changesSince(0),
    audit: await store.audit.list(),
    head: await store.audit.head(),
    tokens: await store.tokens.list(),
    enforcers: await store.enforcers.list(),
  });
  const before = await seen(first);
  await first.close();

  const second = await open();
  try {
    assert.deepEqual(await seen(second), before);
    assert.equal(before.state.version, 2);
    const next = await second.rules.commit({ create: [{ ...rule, id: 'r3' }], audit: [], at });
    assert.equal(next.event.version, 3);
  } finally {
    await second.close();
  }
}
