import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Call } from '@estop/core';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

const acmeEmail: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };

/**
 * Two replicas at version 1, with the given stores; the guard, on whichever it picked, applies
 * two stops there (version 3), so that the other is left at version 1.
 */
async function guardAheadOfOther(stores: [string, string]) {
  const first = await FakeControlPlane.start({ resumes: true, storeId: stores[0] });
  const second = await FakeControlPlane.start({ resumes: true, storeId: stores[1] });
  const { guard, errors } = createTestGuard(first, { url: [first.url, second.url] });
  const versions: number[] = [];
  guard.onChange((change) => versions.push(change.version));
  await guard.ready();
  const on = first.openStreams === 1 ? first : second;
  const other = on === first ? second : first;
  const rule = on.flip({ tenant: 'acme' }, 'read_only');
  on.flip({ tenant: 'globex' }, 'read_only');
  await waitFor('version 3', () => guard.version === 3);
  return {
    guard,
    errors,
    versions,
    on,
    other,
    rule,
    async close() {
      await guard.close();
      await first.close();
      await second.close();
    },
  };
}

describe('a guard that fails over never goes back to an older state of the same store', () => {
  it('refuses the older snapshot of a replica that is behind, keeps its stops, and moves back to a current replica', async () => {
    const replicas = await guardAheadOfOther(['store-a', 'store-a']);
    const { guard, errors, versions, on, other, rule } = replicas;
    try {
      const streamsBefore = on.streamsOpened;
      on.dropConnections();
      // It tried the other replica, which offered version 1, then came back with backoff.
      await waitFor('a stream on the other replica', () => other.streamsOpened > 0);
      await waitFor('the stream back on the current replica', () => on.streamsOpened > streamsBefore);
      await waitFor('resumed there', () => on.openStreams === 1);
      assert.equal(guard.version, 3);
      assert.ok(
        versions.every((version, index) => index === 0 || version >= versions[index - 1]!),
        `versions went back: ${versions.join(', ')}`,
      );
      assert.equal(guard.decide(acmeEmail).ruleId, rule.id);
      assert.ok(
        errors.some(
          (error) =>
            error.code === 'unavailable' && /behind: it sent version 1, this enforcer holds 3/.test(error.message),
        ),
        errors.map((error) => error.message).join('\n'),
      );
      // An acknowledgement under way as the guard moved may reach it, naming the version held;
      // never the older version it offered.
      assert.ok(
        other.acksFrom(guard.id).every((ack) => ack.version === 3),
        `the replica behind was acknowledged ${JSON.stringify(other.acksFrom(guard.id))}`,
      );
    } finally {
      await replicas.close();
    }
  });

  it('follows a replica on a store that was reset (another store id), even to an older version', async () => {
    const replicas = await guardAheadOfOther(['store-a', 'store-b']);
    const { guard, on, other } = replicas;
    try {
      await on.close();
      await waitFor('the reset store applied', () => guard.version === 1 && other.openStreams === 1);
      assert.equal(guard.decide(acmeEmail).outcome, 'allow');
    } finally {
      await replicas.close();
    }
  });
});
