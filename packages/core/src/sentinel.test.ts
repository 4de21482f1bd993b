import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemorySentinelCounter } from './memory-sentinel-counter.js';
import { SentinelSpecs, sentinelActor, type SentinelSpec } from './sentinel.js';
import { SlidingSum } from './sliding-sum.js';
import { runSentinelCounterConformance } from './testing/sentinel-counter-conformance.js';

const flood: SentinelSpec = {
  name: 'email-flood',
  signal: 'writes',
  tool: 'email.*',
  per: 'tenant',
  threshold: 3,
  windowMs: 1000,
  mode: 'read_only',
};
const acme = { tenant: 'acme', agent: 'mailer', run: 'run_1', tool: 'email.send' };

describe('a sliding sum holds exactly the events of its window, as far as its limit needs', () => {
  it('counts events within the window and forgets older ones', () => {
    const count = new SlidingSum(1000, 10);
    assert.equal(count.add(0), 1);
    assert.equal(count.add(500), 2);
    assert.equal(count.add(1000), 2); // the event at 0 is a whole window old
    assert.equal(count.add(1499), 3);
    assert.equal(count.isEmpty(2499), true);
  });

  it('keeps at most its limit of events of 1', () => {
    const count = new SlidingSum(60_000, 3);
    for (let at = 0; at < 100; at++) assert.equal(count.add(at), Math.min(at + 1, 3));
  });

  it('sums amounts, letting go of old ones the limit does not need', () => {
    const spend = new SlidingSum(1000, 10_000_000);
    assert.equal(spend.add(0, 4_000_000), 4_000_000);
    assert.equal(spend.add(100, 5_000_000), 9_000_000);
    assert.equal(spend.add(200, 3_000_000), 12_000_000);
    assert.equal(spend.add(300, 8_000_000), 11_000_000); // the first two are not needed to reach 10
    assert.equal(spend.add(1250, 1_000_000), 9_000_000); // a window on, the third is gone too
  });
});

describe('a sentinel counts a call in one group: its tenant, narrowed per agent or run, and its tool glob', () => {
  it('groups a matching write by tenant, with the tool glob in the scope to stop', () => {
    const specs = new SentinelSpecs([flood]);
    assert.deepEqual(specs.groupsOf('writes', acme), [
      { spec: flood, scope: { tenant: 'acme', tool: 'email.*' }, group: 'email-flood\nacme\n\n' },
    ]);
  });

  it('ignores other tools and other signals', () => {
    const specs = new SentinelSpecs([flood]);
    assert.deepEqual(specs.groupsOf('writes', { ...acme, tool: 'crm.update' }), []);
    assert.deepEqual(specs.groupsOf('failures', acme), []);
  });

  it('per agent or run narrows the scope, and skips calls that name none', () => {
    const perRun: SentinelSpec = { ...flood, name: 'loop', signal: 'duplicates', tool: undefined, per: 'run' };
    const perAgent: SentinelSpec = { ...perRun, name: 'agent-loop', per: 'agent' };
    const specs = new SentinelSpecs([perRun, perAgent]);
    assert.deepEqual(specs.groupsOf('duplicates', { tenant: 'acme', tool: 'email.send' }), []);
    assert.deepEqual(
      specs.groupsOf('duplicates', acme).map((found) => found.scope),
      [
        { tenant: 'acme', run: 'run_1' },
        { tenant: 'acme', agent: 'mailer' },
      ],
    );
  });

  it('trips are made by estop itself, named after the sentinel', () => {
    assert.deepEqual(sentinelActor('email-flood'), { id: 'sentinel:email-flood', kind: 'system' });
  });
});

runSentinelCounterConformance({
  name: 'the memory sentinel counter',
  create: async () => createMemorySentinelCounter(),
});

describe('the memory sentinel counter forgets quiet groups', () => {
  it('prunes groups whose window is empty', async () => {
    const counter = createMemorySentinelCounter();
    await counter.add('a', 0, 1000, 1, 10);
    await counter.add('b', 900, 1000, 1, 10);
    counter.prune?.(1500);
    assert.equal(await counter.reset('a'), false);
    assert.equal(await counter.reset('b'), true);
  });
});
