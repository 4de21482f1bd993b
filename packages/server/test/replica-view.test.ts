import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEventStream } from '@estop/client';
import { createMemoryStore, type Store } from '@estop/core';
import { eventually, sha256Hex, startTestControlPlane, type TestControlPlane } from './harness.js';

/** How the replica's reads of other replicas' commits go: answered, refused, or never answered. */
type Reads = 'answer' | 'fail' | 'hang';

/**
 * A memory store whose reads of change events (the replica's poll) answer, fail, or hang until
 * reads answer again (as reads queued behind a saturated connection pool finally do).
 */
function storeWithReads(): { store: Store; set(reads: Reads): void } {
  const memory = createMemoryStore({ sha256: sha256Hex });
  let mode: Reads = 'answer';
  const queued: (() => void)[] = [];
  const store: Store = {
    ...memory,
    rules: {
      ...memory.rules,
      changesSince: async (version, limit) => {
        if (mode === 'fail') throw new Error('the store does not answer');
        if (mode === 'hang') await new Promise<void>((resolve) => queued.push(resolve));
        return memory.rules.changesSince(version, limit);
      },
    },
  };
  return {
    store,
    set(reads) {
      mode = reads;
      if (reads === 'answer') for (const release of queued.splice(0)) release();
    },
  };
}

/** Opens the state stream as `enforcer` and records its event types and whether it ended. */
async function follow(cp: TestControlPlane, token: string, enforcer: string) {
  const controller = new AbortController();
  const response = await fetch(`${cp.url}/v1/stream?enforcer=${enforcer}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  const stream = { types: [] as string[], ended: false, close: () => controller.abort() };
  readEventStream(response.body as ReadableStream<Uint8Array>, (event) => stream.types.push(event.type))
    .catch(() => {})
    .finally(() => {
      stream.ended = true;
    });
  return stream;
}

async function registerEnforcer(cp: TestControlPlane, token: string, id: string): Promise<void> {
  const registered = await cp.request('/v1/enforcers', { token, body: { id, name: 'worker', kind: 'sdk' } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
}

const CASES = {
  fail: 'keeps its enforcer streams silent (the store is away, likely for every replica)',
  hang: 'ends its enforcer streams (its reads queue up: other replicas may be current)',
} as const;

for (const lost of ['fail', 'hang'] as const) {
  describe(`a replica whose reads of the store ${lost} stops vouching for its view`, () => {
    it(`${CASES[lost]}, holds new ones silent, and answers enforcement and readiness 503 until a read succeeds`, async () => {
      const reads = storeWithReads();
      const cp = await startTestControlPlane({
        store: reads.store,
        replicaPollMs: 50,
        keepAliveMs: 50,
        viewStaleAfterMs: 400,
      });
      try {
        const token = await cp.token('enforcer');
        await registerEnforcer(cp, token, 'worker-1');
        const stream = await follow(cp, token, 'worker-1');
        await eventually(() => stream.types.includes('keepalive'));
        const created = await cp.request('/v1/rules', {
          body: { scope: { tenant: 'acme' }, mode: 'read_only', reason: 'before the store went quiet' },
        });
        assert.equal(created.status, 201);
        const version = created.body.version as number;
        await eventually(async () => (await cp.request(`/v1/versions/${version}/enforcement`)).status === 200);
        assert.equal((await cp.request('/readyz')).status, 200);

        reads.set(lost);
        await eventually(async () => (await cp.request('/readyz')).status === 503, 3000);
        if (lost === 'hang') await eventually(() => stream.ended, 3000);
        const keepAlives = stream.types.filter((type) => type === 'keepalive').length;

        // A stream opened meanwhile is held: no snapshot, no keep-alive, until a read succeeds.
        const held = await follow(cp, token, 'worker-1');
        const enforcement = await cp.request(`/v1/versions/${version}/enforcement`);
        assert.equal(enforcement.status, 503);
        assert.equal(enforcement.type, 'application/problem+json');
        assert.equal(enforcement.body.code, 'unavailable');
        assert.equal((await cp.request('/v1/enforcers')).status, 503);
        assert.equal((await cp.request('/readyz')).status, 503);
        // Nothing kept either stream fresh.
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(stream.types.filter((type) => type === 'keepalive').length, keepAlives);
        assert.equal(stream.ended, lost === 'hang');
        assert.deepEqual(held.types, []);

        // The queued read, when it ends, vouches for the moment it started only: a later one brings the view back.
        reads.set('answer');
        await eventually(async () => (await cp.request(`/v1/versions/${version}/enforcement`)).status === 200, 3000);
        assert.equal((await cp.request('/readyz')).status, 200);
        // The held stream starts, as any stream does, and is kept fresh again.
        await eventually(() => held.types.includes('keepalive'));
        assert.equal(held.types[0], 'snapshot');
        held.close();
        // A stream kept through the outage hears keep-alives again.
        if (lost === 'fail') {
          await eventually(() => stream.types.filter((type) => type === 'keepalive').length > keepAlives);
          stream.close();
        }
      } finally {
        await cp.close().catch(() => {});
      }
    });
  });
}
