import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGuard, type Guard } from '@estop/sdk';
import { createSqliteStore } from '@estop/store-sqlite';
import {
  connectEnforcer,
  eventually,
  sha256Hex,
  startTestControlPlane,
  type TestControlPlane,
} from '../../packages/server/test/harness.js';

const FORGET_AFTER_MS = 10_000;
const CYCLES = 5;
// Per cycle: guards that close (and deregister), and workers that vanish without a word.
const CLOSING = 25;
const DROPPING = 25;

async function listed(cp: TestControlPlane): Promise<{ id: string; connected: boolean }[]> {
  const answer = await cp.request('/v1/enforcers?limit=1000');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.nextCursor ?? null, null, 'more enforcers than one page');
  return answer.body.enforcers as { id: string; connected: boolean }[];
}

function heapAfterCollection(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

describe('enforcers that come and go leave nothing behind: the list, the store and memory level off', () => {
  let cp: TestControlPlane;
  // The control plane's clock runs with real time and jumps past forget_after between cycles.
  let skew = 0;
  before(async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'estop-soak-')), 'estop.db');
    cp = await startTestControlPlane({
      store: createSqliteStore({ file, sha256: sha256Hex }),
      clock: { now: () => Date.now() + skew },
      enforcers: { forgetAfterMs: FORGET_AFTER_MS },
    });
  });
  after(() => cp.close());

  it(`${CYCLES} cycles of ${CLOSING + DROPPING} enforcers connecting and leaving`, async (context) => {
    const token = await cp.token('enforcer');
    const heaps: number[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const guards: Guard[] = Array.from({ length: CLOSING }, (_, index) =>
        createGuard({ url: cp.url, token, name: `soak-${cycle}-${index}`, breakGlass: {}, onError: () => {} }),
      );
      const drops = await Promise.all(
        Array.from({ length: DROPPING }, (_, index) => connectEnforcer(cp, token, `soak-drop-${cycle}-${index}`)),
      );
      await Promise.all(guards.map((guard) => guard.ready()));
      const closing = new Set(guards.map((guard) => guard.id));
      await eventually(
        async () => (await listed(cp)).filter((record) => record.connected).length === CLOSING + DROPPING,
      );

      // Guards that close deregister: gone from the list and the store as close() resolves.
      await Promise.all(guards.map((guard) => guard.close()));
      const afterClose = await listed(cp);
      assert.deepEqual(
        afterClose.filter((record) => closing.has(record.id)),
        [],
      );
      assert.equal(afterClose.length, DROPPING, `cycle ${cycle}: ${afterClose.length} listed after the guards closed`);
      assert.equal((await cp.store.enforcers.list()).filter((record) => closing.has(record.id)).length, 0);

      // Workers that vanish stay listed, as gone, until forget_after has passed.
      for (const drop of drops) drop();
      await eventually(async () => (await listed(cp)).every((record) => !record.connected));
      skew += FORGET_AFTER_MS + 6_000;
      await eventually(async () => (await listed(cp)).length === 0);
      await eventually(async () => (await cp.store.enforcers.list()).length === 0);
      heaps.push(heapAfterCollection());
    }
    context.diagnostic(`heap after each cycle (MiB): ${heaps.map((bytes) => (bytes / 2 ** 20).toFixed(1)).join(', ')}`);
    // The counts above are the proof; the heap, with a collector to call, gets only a loose bound
    // against runaway growth (a fixed figure would be flaky).
    if ((globalThis as { gc?: () => void }).gc !== undefined) {
      assert.ok((heaps.at(-1) ?? 0) < (heaps[0] ?? 0) + 64 * 2 ** 20, 'the heap kept growing with the cycles');
    }
  });
});
