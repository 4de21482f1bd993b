import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, send, startSetup, type TestSetup } from './http-harness.js';

async function gatewayRecord(
  setup: TestSetup,
): Promise<{ inFlight: number; version: number; kind: string } | undefined> {
  const answer = await setup.plane.api('/v1/enforcers');
  return (answer.body.enforcers as { id: string; inFlight: number; version: number; kind: string }[]).find(
    (enforcer) => enforcer.id === setup.gateway.guard.id,
  );
}

describe('a cancelInFlight rule stops calls already running through the HTTP gateway', () => {
  let setup: TestSetup;
  let acme: string;
  let globex: string;

  before(async () => {
    setup = await startSetup();
    acme = await setup.plane.token('agent', 'acme-bot', 'acme');
    globex = await setup.plane.token('agent', 'globex-bot', 'globex');
  });
  after(() => setup.close());

  it('reports in-flight calls to the control plane, aborts the covered call with an explanation and spares the rest', async () => {
    const acmeCall = send(`${setup.url}/tools/slow.write`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme}` },
    });
    const globexCall = send(`${setup.url}/tools/slow.write`, {
      method: 'POST',
      headers: { authorization: `Bearer ${globex}` },
    });
    await eventually(() => setup.upstream.seen.filter((seen) => seen.url === '/slow').length === 2);
    assert.equal(setup.gateway.inFlight.count, 2);

    // Any change makes the gateway acknowledge, and the acknowledgement carries the count.
    const unrelated = await setup.plane.rule({ scope: { tenant: 'initech' }, mode: 'read_only', reason: 'unrelated' });
    const record = await eventually(async () => {
      const found = await gatewayRecord(setup);
      return found !== undefined && found.version >= unrelated.version ? found : undefined;
    });
    assert.equal(record.kind, 'gateway');
    assert.equal(record.inFlight, 2);

    const stop = await setup.plane.rule({
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'runaway sends',
      cancelInFlight: true,
    });
    const answer = await acmeCall;
    assert.equal(answer.status, 409);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.equal(answer.json.cancelled, true);
    assert.equal(answer.json.ruleId, stop.id);
    assert.equal(answer.json.mode, 'read_only');
    assert.equal(answer.json.reason, 'runaway sends');
    assert.match(answer.json.detail, new RegExp(`cancelled in flight by rule ${stop.id}`));
    await eventually(() => setup.upstream.seen.some((seen) => seen.url === '/slow' && seen.abandoned));

    assert.equal(setup.gateway.inFlight.count, 1);
    setup.upstream.releaseSlow();
    const spared = await globexCall;
    assert.equal(spared.status, 200);
    assert.equal(spared.body.toString(), 'finally');
    assert.equal(setup.gateway.inFlight.count, 0);
  });

  it('a rule without cancelInFlight lets running calls finish', async () => {
    const running = send(`${setup.url}/tools/slow.write`, {
      method: 'POST',
      headers: { authorization: `Bearer ${globex}` },
    });
    await eventually(() => setup.gateway.inFlight.count === 1);
    const { version } = await setup.plane.rule({ scope: { tenant: 'globex' }, mode: 'full_stop', reason: 'later' });
    await eventually(() => setup.gateway.guard.version >= version);
    assert.equal(setup.gateway.inFlight.count, 1);
    setup.upstream.releaseSlow();
    assert.equal((await running).status, 200);
  });
});
