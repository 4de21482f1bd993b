import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SentinelWatch, sentinelActor, type SentinelSpec } from './sentinel.js';
import { SlidingCount } from './sliding-count.js';

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

describe('a sliding count holds exactly the events of its window', () => {
  it('counts events within the window and forgets older ones', () => {
    const count = new SlidingCount(1000, 10);
    assert.equal(count.add(0), 1);
    assert.equal(count.add(500), 2);
    assert.equal(count.add(1000), 2); // the event at 0 is a whole window old
    assert.equal(count.add(1499), 3);
    assert.equal(count.isEmpty(2499), true);
  });

  it('keeps at most its cap of events', () => {
    const count = new SlidingCount(60_000, 3);
    for (let at = 0; at < 100; at++) assert.equal(count.add(at), Math.min(at + 1, 3));
  });
});

describe('a sentinel trips when its threshold of signals for one group falls within its window', () => {
  it('trips on the threshold-th write of a matching tool, with the tenant and the tool glob as the scope', () => {
    const watch = new SentinelWatch([flood]);
    assert.deepEqual(watch.observe('writes', acme, 0), []);
    assert.deepEqual(watch.observe('writes', acme, 100), []);
    assert.deepEqual(watch.observe('writes', acme, 200), [
      { spec: flood, scope: { tenant: 'acme', tool: 'email.*' }, count: 3 },
    ]);
  });

  it('starts again from zero after a trip', () => {
    const watch = new SentinelWatch([flood]);
    for (let at = 0; at < 3; at++) watch.observe('writes', acme, at);
    assert.deepEqual(watch.observe('writes', acme, 10), []);
    assert.deepEqual(watch.observe('writes', acme, 11), []);
    assert.equal(watch.observe('writes', acme, 12).length, 1);
  });

  it('does not trip when the signals are spread wider than the window', () => {
    const watch = new SentinelWatch([flood]);
    for (let at = 0; at < 10; at++) assert.deepEqual(watch.observe('writes', acme, at * 600), []);
  });

  it('counts tenants apart, ignores other tools and other signals', () => {
    const watch = new SentinelWatch([flood]);
    watch.observe('writes', acme, 0);
    watch.observe('writes', acme, 1);
    assert.deepEqual(watch.observe('writes', { ...acme, tenant: 'globex' }, 2), []);
    assert.deepEqual(watch.observe('writes', { ...acme, tool: 'crm.update' }, 3), []);
    assert.deepEqual(watch.observe('failures', acme, 4), []);
    assert.equal(watch.observe('writes', acme, 5).length, 1);
  });

  it('per agent or run narrows the scope, and skips calls that name none', () => {
    const perRun: SentinelSpec = {
      ...flood,
      name: 'loop',
      signal: 'duplicates',
      tool: undefined,
      per: 'run',
      threshold: 2,
    };
    const watch = new SentinelWatch([perRun]);
    assert.deepEqual(watch.observe('duplicates', { tenant: 'acme', tool: 'email.send' }, 0), []);
    assert.deepEqual(watch.observe('duplicates', { tenant: 'acme', tool: 'email.send' }, 1), []);
    watch.observe('duplicates', acme, 2);
    assert.deepEqual(watch.observe('duplicates', acme, 3), [
      { spec: perRun, scope: { tenant: 'acme', run: 'run_1' }, count: 2 },
    ]);
  });

  it('prunes groups whose window is empty', () => {
    const watch = new SentinelWatch([flood]);
    watch.observe('writes', acme, 0);
    watch.observe('writes', { ...acme, tenant: 'globex' }, 900);
    watch.prune(1500);
    assert.equal(watch.groups, 1);
    watch.prune(2000);
    assert.equal(watch.groups, 0);
  });

  it('trips are made by estop itself, named after the sentinel', () => {
    assert.deepEqual(sentinelActor('email-flood'), { id: 'sentinel:email-flood', kind: 'system' });
  });
});
