import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { createGuard, RunStoppedError, type Guard } from '@estop/sdk';
import { createControlPlane, type ControlPlane } from '@estop/server';
import { main } from '../src/index.js';
import { bufferIo } from './fake-http.js';

const ADMIN = 'estop_runs-e2e-admin';

async function eventually<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A tool function that holds until released; it records the abort of its signal but keeps running unless `obey`. */
function heldTool(obey: boolean) {
  let release: () => void = () => {};
  let signal: AbortSignal | undefined;
  const fn = (_args: unknown, context: { signal: AbortSignal }) =>
    new Promise<string>((resolve, reject) => {
      signal = context.signal;
      release = () => resolve('done');
      if (obey) context.signal.addEventListener('abort', () => reject(context.signal.reason as Error));
    });
  return { fn, started: () => signal !== undefined, aborted: () => signal?.aborted === true, release: () => release() };
}

describe('runs are listed and killed end to end: CLI → control plane → guard → tool signal', () => {
  let plane: ControlPlane;
  let url: string;
  let guard: Guard;
  const env = () => ({ ESTOP_URL: url, ESTOP_TOKEN: ADMIN });

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = bufferIo(env());
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  before(async () => {
    const store = createMemoryStore({ sha256: (text) => createHash('sha256').update(text).digest('hex') });
    plane = await createControlPlane({ store, adminToken: ADMIN });
    url = await plane.listen({ port: 0 });
    const created = await cli(['tokens', 'create', '--role', 'enforcer', '--name', 'runs-e2e', '--json']);
    assert.equal(created.code, 0, created.err);
    guard = createGuard({
      url,
      token: JSON.parse(created.out).token as string,
      name: 'runs-e2e-worker',
      breakGlass: {},
      onError: () => {},
    });
    await guard.ready();
  });
  after(async () => {
    await guard?.close();
    await plane?.close();
  });

  it('estop runs lists a run with its call in flight; estop runs kill aborts the run and the call, and reports it terminated', async () => {
    const run = guard.startRun({ tenant: 'acme', agent: 'mailer', heartbeatMs: 100 });
    const tool = heldTool(true);
    const call = run.tool('email.send', { to: 'a@example.com' }, tool.fn, { effect: 'write' }).catch((error) => error);
    await eventually('the call to start', tool.started);

    const listed = await eventually('the run to be listed with its call', async () => {
      const result = await cli(['runs', '--json']);
      const found = JSON.parse(result.out).runs.find((entry: any) => entry.id === run.id);
      return found?.inFlight.length === 1 ? found : undefined;
    });
    assert.equal(listed.tenant, 'acme');
    assert.equal(listed.inFlight[0].tool, 'email.send');
    const table = await cli(['runs']);
    assert.match(table.out, new RegExp(`${run.id}\\s+acme\\s+mailer\\s+running`));
    assert.match(table.out, /email\.send\s+in flight/);

    const killed = await cli(['runs', 'kill', run.id, '--reason', 'looping on email', '--wait', '15s', '--json']);
    assert.equal(killed.code, 0, killed.err);
    const result = JSON.parse(killed.out);
    assert.ok(run.signal.aborted);
    assert.ok(tool.aborted());
    assert.equal(run.stopReason, `killed:${result.rule.id}`);
    const error = await call;
    assert.ok(error instanceof RunStoppedError);
    assert.equal(result.stage, 'terminated');
    assert.deepEqual(result.enforcement.runs, { affected: 1, stopped: 1, terminated: 1, inFlight: 0 });

    const audit = await cli(['audit', 'list', '--json']);
    const terminated = JSON.parse(audit.out).entries.find(
      (entry: any) => entry.action === 'run-terminated' && entry.scope?.run === run.id,
    );
    assert.equal(terminated?.reason, `killed:${result.rule.id}`);
  });

  it('estop kill never says terminated while a call of an affected run is still running', async () => {
    const run = guard.startRun({ tenant: 'initech', heartbeatMs: 100 });
    const stubborn = heldTool(false);
    const call = run.tool('report.build', {}, stubborn.fn, { effect: 'read' }).catch((error) => error);
    await eventually('the call to start', stubborn.started);
    await eventually('the heartbeat naming the call', async () => {
      const result = await cli(['runs', '--json']);
      return JSON.parse(result.out).runs.find((entry: any) => entry.id === run.id)?.inFlight.length === 1;
    });

    const killed = await cli([
      'kill',
      '--tenant',
      'initech',
      '--mode',
      'full_stop',
      '--reason',
      'drill',
      '--wait',
      '300ms',
    ]);
    assert.equal(killed.code, 0, killed.err);
    await eventually('the run to stop', () => run.signal.aborted);
    assert.match(killed.out, /runs: 1 affected, \d stopped, 1 call in flight, 0 terminated: (requested|enforced)/);

    stubborn.release();
    assert.equal(await call, 'done');
    const ruleId = run.stopReason?.slice('killed:'.length);
    const rules = JSON.parse((await cli(['status', '--json'])).out);
    await eventually('the run to terminate', async () => {
      const response = await fetch(`${url}/v1/versions/${rules.version}/enforcement?rule=${ruleId}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      const body = (await response.json()) as { runs?: { terminated: number; affected: number } };
      return body.runs?.terminated === 1 && body.runs.affected === 1;
    });
  });

  it('estop runs kill refuses a run the control plane does not know, creating nothing, unless --force', async () => {
    const before = JSON.parse((await cli(['status', '--json'])).out);
    const refused = await cli(['runs', 'kill', 'run_nope', '--reason', 'x']);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /no run "run_nope".*nothing was stopped/s);
    assert.match(refused.err, /--force/);
    const unchanged = JSON.parse((await cli(['status', '--json'])).out);
    assert.equal(unchanged.version, before.version);
    assert.equal(unchanged.rules.length, before.rules.length);

    const forced = await cli(['runs', 'kill', 'run_nope', '--reason', 'x', '--force', '--wait', '0', '--json']);
    assert.equal(forced.code, 0, forced.err);
    assert.equal(JSON.parse(forced.out).rule.scope.run, 'run_nope');
  });
});
