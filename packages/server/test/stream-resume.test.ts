import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore, type StateSnapshot, type Store } from '@estop/core';
import { eventually, sha256Hex, startTestControlPlane, type TestControlPlane } from './harness.js';
import { normalized, openStateStream, stateAfter, type StreamFrame } from './state-stream-reader.js';

const TOOLS = { 'email.send': 'write', 'crm.read': 'read' } as const;

/** Waits for the stream's first keep-alive: whatever the stream starts with has been written before it. */
async function started(frames: StreamFrame[]): Promise<StreamFrame[]> {
  await eventually(() => frames.some((frame) => frame.type === 'keepalive'));
  return frames.filter((frame) => frame.type !== 'keepalive');
}

async function state(cp: TestControlPlane, token?: string): Promise<StateSnapshot> {
  const answer = await cp.request('/v1/state', { token });
  assert.equal(answer.status, 200);
  return answer.body as StateSnapshot;
}

async function createRule(cp: TestControlPlane, body: Record<string, unknown>): Promise<string> {
  const created = await cp.request('/v1/rules', { body: { reason: 'resume test', ...body } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.rule.id as string;
}

async function lift(cp: TestControlPlane, id: string, to?: string): Promise<void> {
  const lifted = await cp.request(`/v1/rules/${id}/lift`, { body: { reason: 'resume test', to } });
  assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
}

describe('a stream resumed from a version the store holds sends only the changes after it', () => {
  let cp: TestControlPlane;
  let viewer: string;
  // The state after each version, as an unbound and as a tenant-bound reader sees it.
  const held: StateSnapshot[] = [];
  const heldByTenant: StateSnapshot[] = [];

  before(async () => {
    cp = await startTestControlPlane({ keepAliveMs: 50, tools: { ...TOOLS }, restore: { secondApprover: [] } });
    viewer = await cp.token('viewer', 'acme');
    const record = async () => {
      held.push(await state(cp));
      heldByTenant.push(await state(cp, viewer));
    };
    await record();
    const acme = await createRule(cp, { scope: { tenant: 'acme' }, mode: 'full_stop' });
    await record();
    const globex = await createRule(cp, { scope: { tenant: 'globex' }, mode: 'read_only' });
    await record();
    await createRule(cp, { scope: { tool: 'email.*' }, mode: 'draft_only' });
    await record();
    await lift(cp, globex);
    await record();
    // A staged restore: one version that creates the gentler rule and lifts the old one.
    await lift(cp, acme, 'read_only');
    await record();
    await createRule(cp, { scope: { tenant: 'globex', agent: 'mailer' }, mode: 'full_stop' });
    await record();
    assert.deepEqual(
      held.map((snapshot) => snapshot.version),
      held.map((_, index) => held[0]!.version + index),
    );
  });
  after(() => cp.close());

  it('from every earlier version: a resume, the missing changes in order, no snapshot, and the state a snapshot gives', async () => {
    const latest = held.at(-1)!;
    for (const from of held) {
      const stream = await openStateStream(cp.url, (await cp.token('enforcer')) as string, String(from.version));
      const frames = await started(stream.frames);
      stream.close();
      assert.equal(frames.filter((frame) => frame.type === 'snapshot').length, 0, `resuming from ${from.version}`);
      assert.deepEqual(frames[0], {
        type: 'resume',
        id: String(from.version),
        // The store's identity, as a snapshot carries it, so the client can tell a reset store.
        data: { version: from.version, tools: TOOLS, storeId: from.storeId },
      });
      assert.deepEqual(
        frames.slice(1).map((frame) => [frame.type, frame.data.version]),
        held.filter((snapshot) => snapshot.version > from.version).map((snapshot) => ['change', snapshot.version]),
      );
      assert.deepEqual(normalized(stateAfter(from, frames)), normalized(latest));
    }
  });

  it("a tenant's reader resumes into the state its snapshot shows, with other tenants' changes left out", async () => {
    const latest = heldByTenant.at(-1)!;
    for (const from of heldByTenant) {
      const stream = await openStateStream(cp.url, viewer, String(from.version));
      const frames = await started(stream.frames);
      stream.close();
      assert.equal(frames[0]?.type, 'resume');
      assert.equal(frames.filter((frame) => frame.type === 'snapshot').length, 0);
      for (const frame of frames.filter((item) => item.type === 'change')) {
        for (const change of frame.data.changes) {
          const scope = change.type === 'rule-created' ? change.rule.scope : undefined;
          assert.notEqual(scope?.tenant, 'globex', `version ${frame.data.version} shows globex's rule`);
        }
      }
      assert.deepEqual(normalized(stateAfter(from, frames)), normalized(latest));
    }
    // The lift of globex's rule is left out too: the version stays, empty.
    const stream = await openStateStream(cp.url, viewer, String(heldByTenant[0]!.version));
    const frames = await started(stream.frames);
    stream.close();
    const liftVersion = held[4]!.version;
    assert.deepEqual(frames.find((frame) => frame.data.version === liftVersion)?.data.changes, []);
  });

  it('at the current version: a resume and nothing else, then live changes as they come', async () => {
    const current = await state(cp);
    const stream = await openStateStream(cp.url, await cp.token('enforcer'), String(current.version));
    try {
      assert.deepEqual(await started(stream.frames), [
        {
          type: 'resume',
          id: String(current.version),
          data: { version: current.version, tools: TOOLS, storeId: current.storeId },
        },
      ]);
      const id = await createRule(cp, { scope: { tenant: 'initech' }, mode: 'read_only' });
      const change = await eventually(() => stream.frames.find((frame) => frame.type === 'change'));
      assert.equal(change.data.version, current.version + 1);
      assert.equal(change.data.changes[0].rule.id, id);
      const keepalive = await eventually(() =>
        stream.frames.find((frame) => frame.type === 'keepalive' && frame.data.version === current.version + 1),
      );
      assert.ok(keepalive);
    } finally {
      stream.close();
    }
  });

  it('a Last-Event-ID that is no version this store holds gets a snapshot, as does none', async () => {
    const current = await state(cp);
    const enforcer = await cp.token('enforcer');
    for (const lastEventId of [undefined, String(current.version + 5), 'abc', '-1', '01', '1.0', '9'.repeat(30)]) {
      const stream = await openStateStream(cp.url, enforcer, lastEventId);
      const frames = await started(stream.frames);
      stream.close();
      assert.deepEqual(
        frames.map((frame) => frame.type),
        ['snapshot'],
        `Last-Event-ID ${String(lastEventId)}`,
      );
      assert.equal(frames[0]!.id, String(current.version));
      assert.deepEqual(normalized(frames[0]!.data), normalized(current));
    }
  });
});

describe('a stream resumed across versions the store no longer holds gets a snapshot', () => {
  it('resumes after the kept history, and sends a snapshot to a client from before it', async () => {
    const memory = createMemoryStore({ sha256: sha256Hex });
    // A store whose first two change events were cleared away, as a pruned history would be.
    const pruned: Store = {
      ...memory,
      rules: {
        ...memory.rules,
        changesSince: async (version, limit) =>
          (await memory.rules.changesSince(version, limit)).filter((event) => event.version > 2),
      },
    };
    const cp = await startTestControlPlane({ store: pruned, keepAliveMs: 50 });
    try {
      const states: StateSnapshot[] = [await state(cp)];
      for (const tenant of ['a', 'b', 'c', 'd']) {
        await createRule(cp, { scope: { tenant }, mode: 'read_only' });
        states.push(await state(cp));
      }
      const enforcer = await cp.token('enforcer');
      const kinds = async (from: number) => {
        const stream = await openStateStream(cp.url, enforcer, String(from));
        const frames = await started(stream.frames);
        stream.close();
        assert.deepEqual(normalized(stateAfter(states[from], frames)), normalized(states[4]!));
        return frames.map((frame) => frame.type);
      };
      assert.deepEqual(await kinds(1), ['snapshot']);
      assert.deepEqual(await kinds(2), ['resume', 'change', 'change']);
    } finally {
      await cp.close();
    }
  });
});

describe('a stream whose resume cannot be read from the store gets a snapshot', () => {
  it('answers with a snapshot, not an error, when reading the history fails', async () => {
    const memory = createMemoryStore({ sha256: sha256Hex });
    const unreadable: Store = {
      ...memory,
      rules: {
        ...memory.rules,
        changesSince: async () => {
          throw new Error('the history is unreadable');
        },
      },
    };
    const cp = await startTestControlPlane({ store: unreadable, keepAliveMs: 50 });
    try {
      const before = await state(cp);
      await createRule(cp, { scope: { tenant: 'a' }, mode: 'read_only' });
      const stream = await openStateStream(cp.url, await cp.token('enforcer'), String(before.version));
      const frames = await started(stream.frames);
      stream.close();
      assert.deepEqual(
        frames.map((frame) => frame.type),
        ['snapshot'],
      );
      assert.deepEqual(normalized(frames[0]!.data), normalized(await state(cp)));
    } finally {
      await cp.close();
    }
  });
});

describe('a client ahead of the replica it reconnects to resumes there without going back', () => {
  it("is sent no snapshot of the replica's older state, and hears the changes after its own version", async () => {
    const shared = createMemoryStore({ sha256: sha256Hex });
    // Both replicas use one store, which outlives each: only the processes are two.
    const lasting = (): Store => ({ ...shared, close: async () => {} });
    const first = await startTestControlPlane({ store: lasting(), replicaPollMs: 50 });
    // The second hears of the first's commits only by its poll.
    const second = await startTestControlPlane({ store: lasting(), replicaPollMs: 1500, keepAliveMs: 50 });
    try {
      const enforcer = await first.token('enforcer');
      let ahead: StateSnapshot | undefined;
      for (let attempt = 0; attempt < 5 && ahead === undefined; attempt++) {
        await createRule(first, { scope: { tenant: `ahead-${attempt}` }, mode: 'read_only' });
        const onFirst = await state(first);
        if ((await state(second)).version < onFirst.version) ahead = onFirst;
      }
      assert.ok(ahead !== undefined, 'the second replica was never behind the first');
      const stream = await openStateStream(second.url, enforcer, String(ahead.version));
      try {
        const next = await createRule(first, { scope: { tenant: 'after' }, mode: 'full_stop' });
        const change = await eventually(() => stream.frames.find((frame) => frame.type === 'change'));
        assert.equal(change.data.version, ahead.version + 1);
        assert.equal(change.data.changes[0].rule.id, next);
        const started = stream.frames.filter((frame) => frame.type !== 'keepalive');
        assert.deepEqual(
          started.map((frame) => [frame.type, frame.data.version]),
          [
            ['resume', ahead.version],
            ['change', ahead.version + 1],
          ],
        );
        // Keep-alives never named a version older than the client's.
        assert.ok(
          stream.frames.every((frame) => frame.type !== 'keepalive' || frame.data.version >= ahead.version),
          'a keep-alive named an older version',
        );
        assert.deepEqual(normalized(stateAfter(ahead, started)), normalized(await state(first)));
      } finally {
        stream.close();
      }
    } finally {
      await first.close();
      await second.close();
      await shared.close();
    }
  });
});
