import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGuard, type Guard } from '@estop/sdk';
import { createInFlightCalls } from '@estop/gateway';
import { eventually, startPlane, type TestPlane } from './http-harness.js';

describe('in-flight calls are counted by the guard and aborted only by a cancelInFlight rule covering them', () => {
  let plane: TestPlane;
  let guard: Guard;

  before(async () => {
    plane = await startPlane();
    guard = createGuard({ url: plane.url, token: await plane.token('enforcer', 'in-flight-test'), kind: 'gateway' });
    await guard.ready();
  });
  after(async () => {
    await guard.close();
    await plane.close();
  });

  it('counts calls until they end, once each', () => {
    const inFlight = createInFlightCalls(guard);
    const first = inFlight.start({ tenant: 'acme', tool: 'email.send', effect: 'write' });
    inFlight.start({ tenant: 'acme', tool: 'search', effect: 'read' }).end();
    assert.equal(inFlight.count, 1);
    first.end();
    first.end();
    assert.equal(inFlight.count, 0);
    inFlight.close();
  });

  it('aborts the calls a cancelInFlight rule denies, says which decision stopped them, and spares the others', async () => {
    const inFlight = createInFlightCalls(guard);
    const write = inFlight.start({ tenant: 'acme', tool: 'email.send', effect: 'write' });
    const read = inFlight.start({ tenant: 'acme', tool: 'search', effect: 'read' });
    const otherTenant = inFlight.start({ tenant: 'globex', tool: 'email.send', effect: 'write' });
    assert.equal(guard.inFlight, 3);

    const plain = await plane.rule({ scope: { tenant: 'globex' }, mode: 'read_only', reason: 'no cancel' });
    await eventually(() => guard.version >= plain.version);
    assert.equal(otherTenant.signal.aborted, false);

    const stop = await plane.rule({
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'stop now',
      cancelInFlight: true,
    });
    await eventually(() => write.signal.aborted);
    assert.equal(write.stoppedBy?.ruleId, stop.id);
    assert.equal(write.stoppedBy?.mode, 'read_only');
    assert.equal(read.signal.aborted, false, 'a read passes read_only, so it is not cancelled');
    assert.equal(read.stoppedBy, undefined);
    assert.equal(otherTenant.signal.aborted, false);

    for (const call of [write, read, otherTenant]) call.end();
    await eventually(() => guard.inFlight === 0);
    inFlight.close();
  });
});
