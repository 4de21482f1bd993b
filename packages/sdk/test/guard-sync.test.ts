import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Call, EstopError, Rule } from '@estop/core';
import type { Guard } from '../src/index.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { createTestGuard, useSyncedGuard } from './test-guard.js';
import { waitFor } from './wait-for.js';

const acmeEmail: Call = { tenant: 'acme', tool: 'email.send', effect: 'write' };
const globexEmail: Call = { tenant: 'globex', tool: 'email.send', effect: 'write' };

describe('versions are applied in order', () => {
  let fake: FakeControlPlane;
  let guard: Guard;
  let errors: EstopError[];
  const applied: number[] = [];

  before(async () => {
    fake = await FakeControlPlane.start();
    ({ guard, errors } = createTestGuard(fake));
    guard.onChange((change) => applied.push(change.version));
    await guard.ready();
  });
  after(async () => {
    await guard.close();
    await fake.close();
  });

  it('registers with its id, name, kind, host and pid before streaming', () => {
    assert.deepEqual(fake.registrations, [
      { id: guard.id, name: 'test-worker', kind: 'sdk', host: hostname(), pid: process.pid },
    ]);
    assert.match(guard.id, /^sdk_[0-9a-f]{16}$/);
  });

  it('applies a burst of changes one version at a time', async () => {
    const first = fake.version;
    const rules = Array.from({ length: 20 }, (_, index) => fake.flip({ tenant: `tenant-${index}` }, 'read_only'));
    await waitFor('the burst to apply', () => guard.version === fake.version);
    assert.deepEqual(
      applied.filter((version) => version > first),
      Array.from({ length: 20 }, (_, index) => first + index + 1),
    );
    for (const rule of rules) fake.lift(rule.id);
    await waitFor('the lifts to apply', () => guard.version === fake.version);
  });

  it('resyncs from a snapshot on a gap instead of applying the later version', async () => {
    const before = fake.version;
    const streams = fake.streamsOpened;
    applied.length = 0;
    const lost: Rule = {
      id: 'rule_lost',
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'lost in transit',
      actor: { id: 'operator@test', kind: 'human' },
      createdAt: new Date().toISOString(),
      cancelInFlight: false,
    };
    fake.pushWithGap([{ type: 'rule-created', rule: lost }], []);
    await waitFor('the resync', () => guard.version === before + 2);
    assert.ok(fake.streamsOpened > streams, 'the guard reconnected');
    assert.deepEqual(applied, [before + 2], 'only the snapshot was applied, not the gapped change');
    assert.equal(guard.decide(acmeEmail).ruleId, 'rule_lost', 'the lost change is in the snapshot');
    fake.lift('rule_lost');
    await waitFor('the lift', () => guard.version === fake.version);
  });

  it('resyncs when an event is malformed, and reports it', async () => {
    const streams = fake.streamsOpened;
    errors.length = 0;
    fake.sendRaw('event: change\ndata: {"version": "seven"\n\n');
    await waitFor('the reconnect', () => fake.streamsOpened > streams && guard.version === fake.version);
    assert.equal(errors[0]?.code, 'internal');
    assert.match(errors[0]?.message ?? '', /not JSON/);

    const again = fake.streamsOpened;
    errors.length = 0;
    fake.sendRaw(`event: change\ndata: ${JSON.stringify({ version: fake.version + 1, changes: 'all' })}\n\n`);
    await waitFor('the reconnect', () => fake.streamsOpened > again && guard.version === fake.version);
    assert.match(errors[0]?.message ?? '', /schema/);
  });

  it('resyncs when a keep-alive names another version', async () => {
    const streams = fake.streamsOpened;
    fake.sendRaw(
      `event: keepalive\ndata: ${JSON.stringify({ version: fake.version + 5, at: new Date().toISOString() })}\n\n`,
    );
    await waitFor('the reconnect', () => fake.streamsOpened > streams && guard.version === fake.version);
  });
});

describe('a reconnect resyncs', () => {
  it('picks up changes made while the connection was down from the fresh snapshot', async () => {
    const fake = await FakeControlPlane.start();
    const { guard } = createTestGuard(fake);
    try {
      await guard.ready();
      const streams = fake.streamsOpened;
      fake.dropConnections();
      const rule = fake.flip({ tenant: 'acme' }, 'full_stop');
      await waitFor('the resync', () => guard.version === fake.version);
      assert.ok(fake.streamsOpened > streams);
      assert.equal(guard.decide(acmeEmail).ruleId, rule.id);
      assert.equal(guard.decide(globexEmail).outcome, 'allow');
    } finally {
      await guard.close();
      await fake.close();
    }
  });
});

describe('every applied version is acknowledged', () => {
  let fake: FakeControlPlane;
  let guard: Guard;

  useSyncedGuard((started) => ({ fake, guard } = started));

  const acknowledged = (version: number) => () => fake.acksFrom(guard.id).some((ack) => ack.version === version);

  it('acknowledges the first snapshot and each change after it', async () => {
    await waitFor('the snapshot ack', acknowledged(fake.version));
    for (let step = 0; step < 5; step++) {
      fake.flip({ run: `run-${step}` }, 'full_stop');
      await waitFor(`the ack of version ${fake.version}`, acknowledged(fake.version));
    }
    const versions = fake.acksFrom(guard.id).map((ack) => ack.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      'acknowledgements never go backwards',
    );
  });

  it('acknowledges the latest version of a burst, in order', async () => {
    for (let step = 0; step < 10; step++) fake.flip({ agent: `agent-${step}` }, 'read_only');
    await waitFor('the ack of the burst', acknowledged(fake.version));
    const versions = fake.acksFrom(guard.id).map((ack) => ack.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
    );
  });

  it('reports the calls in flight with each acknowledgement', async () => {
    let finish: () => void = () => undefined;
    const work = guard.track(new Promise<string>((resolve) => (finish = () => resolve('done'))));
    assert.equal(guard.inFlight, 1);
    fake.flip({ tenant: 'busy' }, 'read_only');
    await waitFor('the ack', acknowledged(fake.version));
    assert.equal(fake.acksFrom(guard.id).at(-1)?.inFlight, 1);

    finish();
    assert.equal(await work, 'done');
    assert.equal(guard.inFlight, 0);
    fake.flip({ tenant: 'idle' }, 'read_only');
    await waitFor('the ack', acknowledged(fake.version));
    assert.equal(fake.acksFrom(guard.id).at(-1)?.inFlight, 0);
  });

  it('counts a failed call out of flight and passes its rejection through', async () => {
    await assert.rejects(guard.track(Promise.reject(new Error('tool failed'))), /tool failed/);
    assert.equal(guard.inFlight, 0);
  });

  it('acknowledges again after a reconnect', async () => {
    const count = fake.acksFrom(guard.id).length;
    fake.dropConnections();
    await waitFor('the ack after the reconnect', () => fake.acksFrom(guard.id).length > count);
    assert.equal(fake.acksFrom(guard.id).at(-1)?.version, fake.version);
  });
});
