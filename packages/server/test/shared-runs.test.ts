import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore, type Clock, type RunStore } from '@estop/core';
import { RunRegistry } from '../src/runs/run-registry.js';
import { SharedRuns } from '../src/runs/shared-runs.js';
import { sha256Hex } from './harness.js';

const HEARTBEAT_MS = 10_000;

/** Two replicas' run registries sharing one run store, on one clock the test moves. */
function twoReplicas() {
  const runs = createMemoryStore({ sha256: sha256Hex }).runs as RunStore;
  let nowMs = Date.parse('2026-01-01T00:00:00.000Z');
  const clock: Clock = { now: () => nowMs };
  const replica = () => {
    const registry = new RunRegistry(clock);
    return { registry, shared: new SharedRuns({ store: runs, registry, clock }) };
  };
  return { here: replica(), there: replica(), advance: (ms: number) => (nowMs += ms), clock };
}

function start(registry: RunRegistry, id: string, clock: Clock): void {
  registry.start('owner', {
    id,
    tenant: 'acme',
    enforcer: 'sdk_1',
    heartbeatMs: HEARTBEAT_MS,
    startedAt: new Date(clock.now()).toISOString(),
  });
}

describe('a replica lists the runs registered with the others as they last wrote them', () => {
  it('a run registered elsewhere is listed once shared, lost after three missed heartbeats, and gone long after its end', async () => {
    const { here, there, advance, clock } = twoReplicas();
    start(there.registry, 'run-elsewhere', clock);
    assert.deepEqual(await here.shared.list(), []);
    await there.shared.flush();
    assert.deepEqual(
      (await here.shared.list()).map((run) => [run.id, run.status]),
      [['run-elsewhere', 'running']],
    );
    assert.equal((await here.shared.get('run-elsewhere'))?.id, 'run-elsewhere');

    advance(3 * HEARTBEAT_MS + 1);
    assert.deepEqual(
      (await here.shared.list()).map((run) => [run.id, run.status]),
      [['run-elsewhere', 'lost']],
    );

    there.registry.end('owner', 'run-elsewhere', { stopReason: 'ended' });
    await there.shared.flush();
    assert.deepEqual(
      (await here.shared.list()).map((run) => [run.id, run.status]),
      [['run-elsewhere', 'ended']],
    );
    advance(10 * 60_000 + 1);
    assert.deepEqual(await here.shared.list(), []);
  });

  it('a run that moved replicas is shown as the replica that heard from it last has it', async () => {
    const { here, there, advance, clock } = twoReplicas();
    start(here.registry, 'run-moved', clock);
    advance(1000);
    start(there.registry, 'run-moved', clock);
    there.registry.heartbeat('owner', 'run-moved', { status: 'stopped', stopReason: 'killed:r_1', inFlight: [] });
    await there.shared.flush();
    const [listed] = await here.shared.list();
    assert.deepEqual([listed?.status, listed?.stopReason], ['stopped', 'killed:r_1']);
  });

  it('runs the store refused are shared at the next flush', async () => {
    const { here, there, clock } = twoReplicas();
    const failing = new SharedRuns({
      store: {
        save: async () => {
          throw new Error('store away');
        },
        list: async () => [],
        removeHeardBefore: async () => 0,
      },
      registry: there.registry,
      clock,
    });
    start(there.registry, 'run-retried', clock);
    await assert.rejects(failing.flush(), /store away/);
    await there.shared.flush();
    assert.deepEqual(
      (await here.shared.list()).map((run) => run.id),
      ['run-retried'],
    );
  });
});
