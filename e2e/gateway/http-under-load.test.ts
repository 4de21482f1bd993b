import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, startSetup, type TestSetup } from './http-harness.js';

interface Tally {
  allowed: number;
  denied: number;
  other: number;
  afterAck: { allowed: number; denied: number };
}
type Tallies = Record<'acme' | 'globex', Tally>;

const GENERATOR = fileURLToPath(new URL('./fixtures/http-load-generator.ts', import.meta.url));

describe("under load, a per-tenant read_only flip stops that tenant's writes at once and no other tenant's", () => {
  let setup: TestSetup;

  before(async () => {
    setup = await startSetup();
  });
  after(() => setup.close());

  it('after the gateway acknowledges the flip, no acme write reaches the upstream and globex keeps flowing', async (context) => {
    const acme = await setup.plane.token('agent', 'acme-loader', 'acme');
    const globex = await setup.plane.token('agent', 'globex-loader', 'globex');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const generator = fork(GENERATOR, [setup.url, acme, globex], {
      execArgv: ['--import', 'tsx'],
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let tallies: Tallies | undefined;
    let finished: { done: Tallies; seconds: number } | undefined;
    generator.on('message', (message: { progress?: Tallies; done?: Tallies; seconds?: number }) => {
      if (message.progress !== undefined) tallies = message.progress;
      if (message.done !== undefined) finished = { done: message.done, seconds: message.seconds as number };
    });

    await eventually(
      () => tallies !== undefined && tallies.acme.allowed >= 1000 && tallies.globex.allowed >= 1000,
      60_000,
    );
    const { version } = await setup.plane.rule({ scope: { tenant: 'acme' }, mode: 'read_only', reason: 'load test' });
    const enforcement = await eventually(async () => {
      const answer = await setup.plane.api(`/v1/versions/${version}/enforcement?wait=5000`);
      return answer.body.acknowledged === answer.body.total && answer.body.total >= 1 ? answer.body : undefined;
    }, 30_000);
    generator.send({ acknowledged: true });
    const globexAtAck = (tallies as Tallies).globex.allowed;
    await eventually(
      () =>
        tallies !== undefined && tallies.acme.afterAck.denied >= 2000 && tallies.globex.allowed >= globexAtAck + 2000,
      60_000,
    );
    generator.send({ stop: true });
    const { done, seconds } = await eventually(() => finished, 30_000);
    await eventually(() => setup.gateway.inFlight.count === 0);

    const total = done.acme.allowed + done.acme.denied + done.globex.allowed + done.globex.denied;
    context.diagnostic(
      `${total} write calls in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s, load from its own process); ` +
        `acme: ${done.acme.allowed} sent before the flip, ${done.acme.afterAck.denied} refused after its acknowledgement ` +
        `(${enforcement.ms ?? '?'} ms from commit to acknowledgement); globex: ${done.globex.allowed} sent, ${done.globex.denied} refused`,
    );
    // Every acme write the upstream received was a call the gateway answered 200 ...
    assert.equal(setup.upstream.arrivals.get('acme'), done.acme.allowed);
    // ... and no acme call started after the acknowledgement was allowed.
    assert.equal(done.acme.afterAck.allowed, 0);
    assert.ok(done.acme.afterAck.denied >= 2000);
    // The other tenant was never refused, and everything it was answered 200 for arrived.
    assert.equal(done.globex.denied, 0);
    assert.equal(done.globex.other + done.acme.other, 0);
    assert.equal(setup.upstream.arrivals.get('globex'), done.globex.allowed);
  });
});
