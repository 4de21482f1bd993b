import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { SharedRun } from '../ports/run-store.js';
import { minutesIn } from './store-fixtures.js';
import type { StoreTest } from './store-test.js';

function makeRun(id: string, heardAt: string, overrides: Partial<SharedRun['record']> = {}): SharedRun {
  return {
    record: {
      id,
      tenant: 'acme',
      agent: 'looper',
      enforcer: 'sdk_1',
      status: 'running',
      startedAt: minutesIn(0),
      lastHeartbeatAt: heardAt,
      inFlight: [{ tool: 'email.send', startedAt: minutesIn(0) }],
      budgets: { maxUsd: 2 },
      usage: { toolCalls: 1, steps: 1, spentUsd: 0.5, reservedUsd: 0 },
      ...overrides,
    },
    heartbeatMs: 10_000,
    heardAt,
  };
}

function byId(runs: SharedRun[]): SharedRun[] {
  return [...runs].sort((left, right) => left.record.id.localeCompare(right.record.id));
}

/** Cases for runs shared by replicas (stores that keep them). */
export function describeRuns(test: StoreTest): void {
  describe('shared runs are saved whole, replaced by id, listed by when they were heard from', () => {
    test('a saved run comes back exactly; saving it again replaces it', async (store) => {
      if (store.runs === undefined) return;
      const first = makeRun('run-1', minutesIn(1));
      const second = makeRun('run-2', minutesIn(2), { agent: undefined, budgets: undefined, usage: undefined });
      delete second.record.agent;
      delete second.record.budgets;
      delete second.record.usage;
      await store.runs.save([first, second]);
      assert.deepEqual(byId(await store.runs.list({ heardSince: minutesIn(0) })), [first, second]);
      const ended = makeRun('run-1', minutesIn(5), { status: 'ended', stopReason: 'ended', endedAt: minutesIn(5) });
      ended.record.inFlight = [];
      await store.runs.save([ended]);
      assert.deepEqual(byId(await store.runs.list({ heardSince: minutesIn(0) })), [ended, second]);
    });
    test('list leaves out runs heard from before heardSince; removeHeardBefore deletes them', async (store) => {
      if (store.runs === undefined) return;
      const old = makeRun('run-old', minutesIn(1));
      const recent = makeRun('run-recent', minutesIn(10));
      await store.runs.save([old, recent]);
      assert.deepEqual(await store.runs.list({ heardSince: minutesIn(5) }), [recent]);
      assert.equal(await store.runs.removeHeardBefore(minutesIn(5)), 1);
      assert.deepEqual(await store.runs.list({ heardSince: minutesIn(0) }), [recent]);
      assert.equal(await store.runs.removeHeardBefore(minutesIn(5)), 0);
    });
    test('saving nothing is fine', async (store) => {
      if (store.runs === undefined) return;
      await store.runs.save([]);
      assert.deepEqual(await store.runs.list({ heardSince: minutesIn(0) }), []);
    });
  });
}
