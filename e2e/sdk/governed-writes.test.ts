import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { isEstopError } from '@estop/core';
import { CallDeniedError, createGuard, isDrafted, RunStoppedError, type Guard } from '@estop/sdk';
import { startGovernedPlane, startSideEffect, type GovernedPlane, type StoreKind } from './governed-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

const fixture = fileURLToPath(new URL('./fixtures/governed-write.ts', import.meta.url));
const email = { tenant: 'acme', agent: 'mailer', tool: 'email.send', effect: 'write' } as const;

/** A fresh control plane on `kind` and a synced guard on it, for one test. */
async function withPlane(
  kind: StoreKind,
  context: TestContext,
  body: (cp: GovernedPlane, guard: Guard, token: string) => Promise<void>,
): Promise<void> {
  const cp = await startGovernedPlane(kind, context);
  if (cp === undefined) return;
  const token = await cp.token('enforcer', 'worker');
  const guard = createGuard({ url: cp.url, token, name: 'worker', breakGlass: {}, onError: () => {} });
  try {
    await guard.ready();
    await body(cp, guard, token);
  } finally {
    await guard.close();
    await cp.close();
  }
}

async function stop(cp: GovernedPlane, guard: Guard, input: Record<string, unknown>): Promise<{ id: string }> {
  const rule = await cp.rule(input);
  await waitFor(`the guard to apply version ${rule.version}`, () => guard.version >= rule.version);
  return rule;
}

function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output.trim()) : reject(new Error(`child exited ${code}: ${errors}`)),
    );
  });
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`governed writes through the SDK on ${kind}`, () => {
    it('an approval_gated write waits; once an operator approves, its function runs once', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
        let calls = 0;
        const result = run.tool('email.send', { to: 'ada@example.com' }, () => ({ sent: ++calls }), {
          effect: 'write',
        });
        const approval = await cp.pendingApproval('email.send');
        assert.equal(calls, 0);
        assert.deepEqual(approval.call, {
          tenant: 'acme',
          agent: 'mailer',
          run: run.id,
          tool: 'email.send',
          args: { to: 'ada@example.com' },
        });
        const approved = await cp.api('POST', `/v1/approvals/${approval.id}/approve`, { reason: 'looks right' });
        assert.equal(approved.status, 200, JSON.stringify(approved.body));
        assert.deepEqual(await result, { sent: 1 });
        assert.equal(calls, 1);
        assert.equal((await cp.api('GET', `/v1/approvals/${approval.id}`)).body.status, 'used');
        await run.end();
      });
    });

    it('repeats of a gated write wait with the first for its one approval, and a later repeat asks nobody', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        let calls = 0;
        const send = () => ({ sent: ++calls });
        const first = guard.execute(email, { to: 'max@example.com' }, send);
        const approval = await cp.pendingApproval('email.send');
        const claimsBefore = cp.claims();
        const repeat = guard.execute(email, { to: 'max@example.com' }, send);
        await waitFor('the repeat to claim', () => cp.claims() > claimsBefore);
        await cp.api('POST', `/v1/approvals/${approval.id}/approve`, { reason: 'once' });
        assert.deepEqual(await first, { sent: 1 });
        assert.deepEqual(await repeat, { sent: 1 });
        assert.deepEqual(await guard.execute(email, { to: 'max@example.com' }, send), { sent: 1 });
        assert.equal(calls, 1);
        const asked = await cp.api('GET', '/v1/approvals');
        assert.equal(asked.body.approvals.length, 1, JSON.stringify(asked.body));
      });
    });

    it('a denied approval throws CallDeniedError naming who denied it and why; the function never runs', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        let calls = 0;
        const result = guard.execute(email, { to: 'bob@example.com' }, () => ++calls);
        const settled = result.then(
          () => undefined,
          (error: unknown) => error,
        );
        const approval = await cp.pendingApproval('email.send');
        await cp.api('POST', `/v1/approvals/${approval.id}/deny`, { reason: 'not to customers today' });
        await settled;
        await assert.rejects(result, (error: unknown) => {
          assert.ok(error instanceof CallDeniedError);
          assert.match(error.message, new RegExp(`approval ${approval.id} was denied by .+: not to customers today`));
          assert.equal(error.approval?.id, approval.id);
          return true;
        });
        assert.equal(calls, 0);
      });
    });

    it('an approval voided by a newer read_only rule is a denial', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        let calls = 0;
        const refused = assert.rejects(
          guard.execute(email, { to: 'carol@example.com' }, () => ++calls),
          (error: unknown) => error instanceof CallDeniedError && /was voided/.test(error.message),
        );
        await cp.pendingApproval('email.send');
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'read_only' });
        await refused;
        assert.equal(calls, 0);
      });
    });

    it('a run that stops while its write waits for approval throws its RunStoppedError', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const run = guard.startRun({ tenant: 'acme' });
        let calls = 0;
        const stopped = assert.rejects(
          run.tool('email.send', {}, () => ++calls, { effect: 'write' }),
          (error: unknown) => error instanceof RunStoppedError && error.stopReason === 'ended',
        );
        await cp.pendingApproval('email.send');
        await run.end();
        await stopped;
        assert.equal(calls, 0);
      });
    });

    it('approved after its gate was lifted, a write is decided again and runs without using the approval', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        const gate = await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        let calls = 0;
        const result = guard.execute(email, { to: 'joy@example.com' }, () => ++calls);
        const approval = await cp.pendingApproval('email.send');
        const lifted = await cp.api('POST', `/v1/rules/${gate.id}/lift`, { reason: 'incident over' });
        assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
        await waitFor('the guard to apply the lift', () => guard.version >= lifted.body.version);
        await cp.api('POST', `/v1/approvals/${approval.id}/approve`, { reason: 'fine' });
        assert.equal(await result, 1);
        assert.equal((await cp.api('GET', `/v1/approvals/${approval.id}`)).body.status, 'approved');
      });
    });

    it('an approval nobody decides expires, and the write is refused as expired', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        let calls = 0;
        await assert.rejects(
          guard.execute(email, { to: 'hal@example.com' }, () => ++calls, { approvalTimeoutMs: 1_000 }),
          (error: unknown) => error instanceof CallDeniedError && /approval \S+ (was )?expired/.test(error.message),
        );
        assert.equal(calls, 0);
      });
    });

    it("the caller's signal ends a wait for approval with its reason", async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'approval_gated' });
        const caller = new AbortController();
        let calls = 0;
        const aborted = assert.rejects(
          guard.execute(email, { to: 'ivy@example.com' }, () => ++calls, { signal: caller.signal }),
          (error: unknown) => error instanceof Error && error.name === 'AbortError',
        );
        await cp.pendingApproval('email.send');
        caller.abort();
        await aborted;
        assert.equal(calls, 0);
      });
    });

    it('a draft_only write is recorded as a draft and returned as one; its function never runs', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        const rule = await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'draft_only', reason: 'review first' });
        const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
        let calls = 0;
        const result = await run.tool('email.send', { to: 'dan@example.com' }, () => ++calls, { effect: 'write' });
        assert.ok(isDrafted(result));
        assert.equal(calls, 0);
        assert.match(result.message, new RegExp(`not executed.*draft ${result.draftId}`));
        const drafts = (await cp.api('GET', '/v1/drafts?tenant=acme')).body.drafts;
        assert.equal(drafts.length, 1);
        assert.equal(drafts[0].id, result.draftId);
        assert.deepEqual(drafts[0].args, { to: 'dan@example.com' });
        assert.equal(drafts[0].ruleId, rule.id);
        assert.equal(drafts[0].run, run.id);
        await run.end();
      });
    });

    it('the same write from two guards in two processes runs once, and both get its result', async (context) => {
      await withPlane(kind, context, async (cp, guard, token) => {
        const side = await startSideEffect();
        try {
          const args = { to: 'ada@example.com', subject: 'report' };
          const send = async () => (await fetch(side.url, { method: 'POST' })).json();
          const [child, here] = await Promise.all([
            runChild([cp.url, token, side.url, 'acme']),
            guard.execute({ tenant: 'acme', tool: 'email.send', effect: 'write' }, args, send),
          ]);
          assert.equal(side.count(), 1);
          assert.deepEqual(here, { sent: 1 });
          assert.deepEqual(JSON.parse(child), { sent: 1 });
        } finally {
          await side.close();
        }
      });
    });

    it('a duplicate that arrives while the first runs waits for it and gets its result', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        let finish!: (value: string) => void;
        const first = guard.execute(
          email,
          { to: 'eve@example.com' },
          () => new Promise<string>((resolve) => (finish = resolve)),
        );
        await waitFor('the first call to run', () => finish !== undefined);
        let duplicateRan = false;
        const claimsBefore = cp.claims();
        const second = guard.execute(email, { to: 'eve@example.com' }, () => {
          duplicateRan = true;
          return 'second';
        });
        await waitFor('the duplicate to claim', () => cp.claims() > claimsBefore);
        finish('first');
        assert.equal(await first, 'first');
        assert.equal(await second, 'first');
        assert.equal(duplicateRan, false);
      });
    });

    it('a duplicate left to run by a failed first write is decided again: a stop made while it waited refuses it', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        let fail!: (error: Error) => void;
        const first = guard.execute(
          email,
          { to: 'ivy@example.com' },
          () => new Promise<string>((_resolve, reject) => (fail = reject)),
        );
        await waitFor('the first call to run', () => fail !== undefined);
        let duplicateRan = false;
        const claimsBefore = cp.claims();
        const second = guard.execute(email, { to: 'ivy@example.com' }, () => {
          duplicateRan = true;
          return 'second';
        });
        await waitFor('the duplicate to claim', () => cp.claims() > claimsBefore);
        const rule = await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'read_only' });
        fail(new Error('smtp down'));
        await assert.rejects(first, /smtp down/);
        await assert.rejects(
          second,
          (error: unknown) => error instanceof CallDeniedError && error.decision.ruleId === rule.id,
        );
        assert.equal(duplicateRan, false);
        const lifted = await cp.api('POST', `/v1/rules/${rule.id}/lift`, { reason: 'incident over' });
        await waitFor('the guard to apply the lift', () => guard.version >= lifted.body.version);
        assert.equal(await guard.execute(email, { to: 'ivy@example.com' }, () => 'third'), 'third');
      });
    });

    it('a repeat gives up, unrun, once it has waited its idempotency.waitMs for an identical write in flight', async (context) => {
      await withPlane(kind, context, async (cp, _guard, token) => {
        const impatient = createGuard({
          url: cp.url,
          token,
          name: 'impatient',
          breakGlass: {},
          onError: () => {},
          idempotency: { waitMs: 300 },
        });
        try {
          await impatient.ready();
          let finish!: (value: string) => void;
          const first = impatient.execute(
            email,
            { to: 'gus@example.com' },
            () => new Promise<string>((resolve) => (finish = resolve)),
          );
          await waitFor('the first call to run', () => finish !== undefined);
          let repeatRan = false;
          await assert.rejects(
            impatient.execute(email, { to: 'gus@example.com' }, () => ((repeatRan = true), 'second')),
            (error: unknown) => isEstopError(error, 'conflict') && /still running.*was not run/.test(error.message),
          );
          assert.equal(repeatRan, false);
          finish('first');
          assert.equal(await first, 'first');
          assert.equal(await impatient.execute(email, { to: 'gus@example.com' }, () => 'third'), 'first');
        } finally {
          await impatient.close();
        }
      });
    });

    it("an idempotencyKey reused for another tool runs that tool, never answered with the other's result", async (context) => {
      await withPlane(kind, context, async (_cp, guard) => {
        const run = guard.startRun({ tenant: 'acme', agent: 'mailer' });
        const ran: string[] = [];
        const options = { effect: 'write', idempotencyKey: 'order-9' } as const;
        try {
          const sent = await run.tool('mail.send', {}, () => (ran.push('send'), 'sent'), options);
          const removed = await run.tool('mail.remove', {}, () => (ran.push('remove'), 'removed'), options);
          const again = await run.tool('mail.send', {}, () => (ran.push('send'), 'sent twice'), options);
          assert.deepEqual([sent, removed, again], ['sent', 'removed', 'sent']);
          assert.deepEqual(ran, ['send', 'remove']);
        } finally {
          await run.end();
        }
      });
    });

    it('a write whose function fails releases its key, so a retry runs', async (context) => {
      await withPlane(kind, context, async (_cp, guard) => {
        let calls = 0;
        const send = () => {
          calls++;
          if (calls === 1) throw new Error('smtp down');
          return 'sent';
        };
        await assert.rejects(guard.execute(email, { to: 'fay@example.com' }, send), /smtp down/);
        assert.equal(await guard.execute(email, { to: 'fay@example.com' }, send), 'sent');
        assert.equal(calls, 2);
        assert.equal(await guard.execute(email, { to: 'fay@example.com' }, send), 'sent');
        assert.equal(calls, 2);
      });
    });

    it('a result that is not JSON is returned, and its key released, so a repeat runs again', async (context) => {
      await withPlane(kind, context, async (_cp, guard) => {
        let calls = 0;
        const count = () => BigInt(++calls);
        assert.equal(await guard.execute(email, { to: 'kim@example.com' }, count), 1n);
        assert.equal(await guard.execute(email, { to: 'kim@example.com' }, count), 2n);
      });
    });

    it('refused calls end up in the audit log as calls-blocked counts', async (context) => {
      await withPlane(kind, context, async (cp, guard) => {
        const rule = await stop(cp, guard, { scope: { tenant: 'acme' }, mode: 'read_only' });
        const run = guard.startRun({ tenant: 'acme' });
        for (let index = 0; index < 3; index++) {
          await assert.rejects(
            run.tool('email.send', { index }, () => 'sent', { effect: 'write' }),
            CallDeniedError,
          );
        }
        assert.equal(guard.decide(email).outcome, 'deny'); // decide alone counts nothing
        await run.end();
        await guard.close();
        await cp.plane.flushAudit();
        const entries = (await cp.api('GET', '/v1/audit')).body.entries.filter(
          (entry: any) => entry.action === 'calls-blocked',
        );
        assert.equal(entries.length, 1, JSON.stringify(entries));
        assert.equal(entries[0].data.count, 3);
        assert.equal(entries[0].data.tool, 'email.send');
        assert.equal(entries[0].data.enforcer, guard.id);
        assert.equal(entries[0].ruleId ?? entries[0].data.ruleId, rule.id);
      });
    });
  });
}

describe('a write whose idempotency key cannot be claimed is not run', () => {
  it('fails closed with unavailable when the control plane is gone', async (context) => {
    const cp = await startGovernedPlane('sqlite', context);
    assert.ok(cp !== undefined);
    const guard = createGuard({
      url: cp.url,
      token: await cp.token('enforcer', 'worker'),
      breakGlass: {},
      onError: () => {},
    });
    try {
      await guard.ready();
      await cp.close();
      let calls = 0;
      await assert.rejects(
        guard.execute(email, { to: 'gil@example.com' }, () => ++calls),
        (error: unknown) => isEstopError(error, 'unavailable') && /the write was not run/.test(error.message),
      );
      assert.equal(calls, 0);
    } finally {
      await guard.close();
    }
  });
});
