import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { EMPTY_HEAD, chainEntries } from '../audit.js';
import { MODES } from '../modes.js';
import type { Store } from '../ports/store.js';
import type { Rule } from '../rule.js';
import { sha256Hex } from './sha256-hex.js';
import { creating, lifting, makeDraft, makeLift, makeRule, minutesIn } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

/** The version and rules of a store's state, without the store's identity (see store-identity-cases). */
async function versionAndRules(store: Store): Promise<{ version: number; rules: Rule[] }> {
  const { version, rules } = await store.rules.state();
  return { version, rules };
}

/** Cases for successful commits: versions, events, round-trips, lifts and order. */
export function describeRuleCommits(test: StoreTest): void {
  describe('a commit adds exactly one version', () => {
    test('creating a rule returns its change event and its chained audit entries', async (store) => {
      const rule = makeRule('r1');
      const request = creating(rule);
      const result = await store.rules.commit(request);
      assert.deepEqual(result.event, { version: 1, at: request.at, changes: [{ type: 'rule-created', rule }] });
      assert.deepEqual(result.audit, chainEntries(EMPTY_HEAD, request.audit, sha256Hex));
      assert.deepEqual(await versionAndRules(store), { version: 1, rules: [rule] });
      const last = result.audit.at(-1);
      assert.deepEqual(await store.audit.head(), { seq: last?.seq, hash: last?.hash });
    });

    test('each commit moves the version by one', async (store) => {
      const versions = [];
      for (const id of ['r1', 'r2', 'r3'])
        versions.push((await store.rules.commit(creating(makeRule(id)))).event.version);
      versions.push((await store.rules.commit(lifting(makeLift('r2')))).event.version);
      assert.deepEqual(versions, [1, 2, 3, 4]);
      assert.equal((await store.rules.state()).version, 4);
    });

    test('creations and a lift in one commit are one version, in request order', async (store) => {
      await store.rules.commit(creating(makeRule('old')));
      const created = [makeRule('new-1'), makeRule('new-2', { mode: 'read_only' })];
      const lift = makeLift('old');
      const drafts = [
        makeDraft({ ruleId: 'new-1' }),
        makeDraft({ ruleId: 'new-2' }),
        makeDraft({ action: 'rule-lifted' }),
      ];
      const result = await store.rules.commit({ create: created, lift: [lift], audit: drafts, at: minutesIn(9) });
      assert.deepEqual(result.event, {
        version: 2,
        at: minutesIn(9),
        changes: [
          { type: 'rule-created', rule: created[0] },
          { type: 'rule-created', rule: created[1] },
          { type: 'rule-lifted', lift },
        ],
      });
      assert.deepEqual(
        result.audit.map((entry) => entry.seq),
        [2, 3, 4],
      );
      assert.deepEqual(await versionAndRules(store), { version: 2, rules: created });
      assert.deepEqual(await store.rules.changesSince(1), [result.event]);
    });
  });

  describe('rules and lifts round-trip exactly', () => {
    test('every field of a rule comes back as it went in, wherever it is read', async (store) => {
      const rule: Rule = makeRule('full', {
        scope: { tenant: 'acme', agent: 'billing-bot', run: 'run-7', tool: 'email.*' },
        mode: 'draft_only',
        reason: 'Runaway "refund" loop — 止めて\nsee ticket #12',
        actor: { id: 'agent:sentinel', kind: 'agent' },
        createdAt: '2026-03-01T09:00:00.123Z',
        startsAt: '2026-03-01T09:10:00.000+02:00',
        expiresAt: '2026-03-01T09:30:00.000+02:00',
        cancelInFlight: true,
      });
      const result = await store.rules.commit(creating(rule));
      assert.deepEqual(result.event.changes, [{ type: 'rule-created', rule }]);
      assert.deepEqual((await store.rules.state()).rules, [rule]);
      assert.deepEqual(await store.rules.get('full'), { rule });
      assert.deepEqual(await store.rules.changesSince(0), [result.event]);
    });

    test('absent optional fields stay absent, and every mode is kept', async (store) => {
      const rules = MODES.map((mode) =>
        makeRule(`global-${mode}`, { scope: {}, mode, actor: { id: 'system', kind: 'system' } }),
      );
      await store.rules.commit({ create: rules, audit: [], at: minutesIn(0) });
      const stored = (await store.rules.state()).rules;
      assert.deepEqual(stored, rules);
      for (const rule of stored) {
        assert.equal('expiresAt' in rule, false);
        assert.equal('startsAt' in rule, false);
        assert.deepEqual(Object.keys(rule.scope), []);
      }
    });

    test('a lift comes back as it went in, expired or not', async (store) => {
      await store.rules.commit({ create: [makeRule('a'), makeRule('b')], audit: [], at: minutesIn(0) });
      const byPerson = makeLift('a', { reason: 'resolved', at: '2026-03-01T09:10:00.5Z' });
      const byExpiry = makeLift('b', { actor: { id: 'system', kind: 'system' }, reason: 'expired', expired: true });
      const result = await store.rules.commit({ lift: [byPerson, byExpiry], audit: [], at: minutesIn(10) });
      assert.deepEqual(result.event.changes, [
        { type: 'rule-lifted', lift: byPerson },
        { type: 'rule-lifted', lift: byExpiry },
      ]);
      assert.deepEqual((await store.rules.get('a'))?.lift, byPerson);
      assert.deepEqual((await store.rules.get('b'))?.lift, byExpiry);
      assert.deepEqual(await store.rules.changesSince(1), [result.event]);
    });
  });

  describe('a lifted rule leaves the state but keeps its record', () => {
    test('state drops it; get returns the rule with its lift', async (store) => {
      const kept = makeRule('kept');
      const gone = makeRule('gone');
      await store.rules.commit({ create: [kept, gone], audit: [], at: minutesIn(0) });
      const lift = makeLift('gone');
      await store.rules.commit(lifting(lift));
      assert.deepEqual(await versionAndRules(store), { version: 2, rules: [kept] });
      assert.deepEqual(await store.rules.get('gone'), { rule: gone, lift });
      const active = await store.rules.get('kept');
      assert.deepEqual(active, { rule: kept });
      assert.equal(active !== undefined && 'lift' in active, false);
    });

    test('a rule past its expiry stays active until it is lifted', async (store) => {
      const expired = makeRule('expired', { expiresAt: '2000-01-01T00:00:00.000Z' });
      await store.rules.commit(creating(expired));
      assert.deepEqual((await store.rules.state()).rules, [expired]);
    });
  });

  describe('active rules are listed oldest first', () => {
    test('order follows commits, and creations within a commit, not ids', async (store) => {
      for (const id of ['m', 'z']) await store.rules.commit(creating(makeRule(id)));
      await store.rules.commit({ create: [makeRule('b'), makeRule('a')], audit: [], at: minutesIn(3) });
      await store.rules.commit(lifting(makeLift('z')));
      await store.rules.commit(creating(makeRule('c')));
      const ids = (await store.rules.state()).rules.map((rule) => rule.id);
      assert.deepEqual(ids, ['m', 'b', 'a', 'c']);
    });
  });
}
