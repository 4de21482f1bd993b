import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually, startSetup, type TestSetup } from './http-harness.js';

interface Tally {
  allowed: number;
  denied: number;
  other: number;
  /** Calls started after the flip was acknowledged, by status. */
  afterAck: { allowed: number; denied: number };
}

function tally(): Tally {
  return { allowed: 0, denied: 0, other: 0, afterAck: { allowed: 0, denied: 0 } };
}

describe("under load, a per-tenant read_only flip stops that tenant's writes at once and no other tenant's", () => {
  let setup: TestSetup;

  before(async () => {
    setup = await startSetup();
  });
  after(() => setup.close());

  it('after the gateway acknowledges the flip, no acme write reaches the upstream and globex keeps flowing', async (context) => {
    const tokens = {
      acme: await setup.plane.token('agent', 'acme-loader', 'acme'),
      globex: await setup.plane.token('agent', 'globex-loader', 'globex'),
    };
    const tallies = { acme: tally(), globex: tally() };
    let acknowledged = false;
    let stopping = false;
    const body = JSON.stringify({ to: 'someone@example.com', text: 'hello' });

    const loop = async (tenant: 'acme' | 'globex', agent: http.Agent): Promise<void> => {
      while (!stopping) {
        const startedAfterAck = acknowledged;
        const status = await new Promise<number>((resolve, reject) => {
          const request = http.request(
            `${setup.url}/tools/email.send`,
            {
              method: 'POST',
              agent,
              headers: {
                authorization: `Bearer ${tokens[tenant]}`,
                'x-test-tenant': tenant,
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
              },
            },
            (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode ?? 0));
            },
          );
          request.on('error', reject);
          request.end(body);
        });
        const counts = tallies[tenant];
        if (status === 200) counts.allowed++;
        else if (status === 403) counts.denied++;
        else counts.other++;
        if (startedAfterAck && status === 200) counts.afterAck.allowed++;
        if (startedAfterAck && status === 403) counts.afterAck.denied++;
      }
    };
    const agents = { acme: new http.Agent({ keepAlive: true }), globex: new http.Agent({ keepAlive: true }) };
    const started = performance.now();
    const loops = [
      ...Array.from({ length: 8 }, () => loop('acme', agents.acme)),
      ...Array.from({ length: 8 }, () => loop('globex', agents.globex)),
    ];

    await eventually(() => tallies.acme.allowed >= 500 && tallies.globex.allowed >= 500, 60_000);
    const { version } = await setup.plane.rule({ scope: { tenant: 'acme' }, mode: 'read_only', reason: 'load test' });
    const enforcement = await eventually(async () => {
      const answer = await setup.plane.api(`/v1/versions/${version}/enforcement?wait=5000`);
      return answer.body.acknowledged === answer.body.total && answer.body.total >= 1 ? answer.body : undefined;
    }, 30_000);
    acknowledged = true;
    const globexAtAck = tallies.globex.allowed;
    await eventually(() => tallies.acme.afterAck.denied >= 500 && tallies.globex.allowed >= globexAtAck + 500, 60_000);
    stopping = true;
    await Promise.all(loops);
    const seconds = (performance.now() - started) / 1000;
    await eventually(() => setup.gateway.inFlight.count === 0);
    agents.acme.destroy();
    agents.globex.destroy();

    const total = tallies.acme.allowed + tallies.acme.denied + tallies.globex.allowed + tallies.globex.denied;
    context.diagnostic(
      `${total} calls in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s, one process for agents, gateway and upstream); ` +
        `acme: ${tallies.acme.allowed} sent before the flip, ${tallies.acme.afterAck.denied} refused after its acknowledgement ` +
        `(${enforcement.ms ?? '?'} ms from commit to acknowledgement); globex: ${tallies.globex.allowed} sent, ${tallies.globex.denied} refused`,
    );
    // Every acme write the upstream received was a call the gateway answered 200 ...
    assert.equal(setup.upstream.arrivals.get('acme'), tallies.acme.allowed);
    // ... and no acme call started after the acknowledgement was allowed.
    assert.equal(tallies.acme.afterAck.allowed, 0);
    assert.ok(tallies.acme.afterAck.denied >= 500);
    // The other tenant was never refused, and everything it was answered 200 for arrived.
    assert.equal(tallies.globex.denied, 0);
    assert.equal(tallies.globex.other + tallies.acme.other, 0);
    assert.equal(setup.upstream.arrivals.get('globex'), tallies.globex.allowed);
  });
});
