import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallDeniedError, isDrafted } from '@estop/sdk';
import { startRealControlPlane, type RealControlPlane } from './real-control-plane.js';

interface Email {
  to: string;
}

describe('guard.wrap puts a record of tool functions through guard.execute for one tenant and agent', () => {
  let control: RealControlPlane;
  before(async () => {
    control = await startRealControlPlane();
  });
  after(() => control.close());

  function mailTools(sent: string[]) {
    return {
      'email.send': async (message: Email) => (sent.push(message.to), `sent to ${message.to}`),
      'crm.lookup': (query: string) => `found ${query}`,
    };
  }

  it('allowed calls run, and a repeated write gets the first result without running again', async () => {
    const sent: string[] = [];
    const tools = control.guard.wrap(mailTools(sent), { tenant: 'wrap-allowed', agent: 'mailer' });
    assert.equal(await tools['email.send']({ to: 'ada@example.com' }), 'sent to ada@example.com');
    assert.equal(await tools['email.send']({ to: 'ada@example.com' }), 'sent to ada@example.com');
    assert.equal(
      await tools['email.send']({ to: 'ada@example.com' }, { idempotencyKey: 'second-send' }),
      'sent to ada@example.com',
    );
    assert.deepEqual(sent, ['ada@example.com', 'ada@example.com']);
    assert.equal(await tools['crm.lookup']('acme'), 'found acme');
  });

  it('under read_only a write is refused before it runs; a tool named read still runs', async () => {
    const rule = await control.rule({ scope: { tenant: 'wrap-denied' }, mode: 'read_only', reason: 'incident 4' });
    const sent: string[] = [];
    const tools = control.guard.wrap(mailTools(sent), {
      tenant: 'wrap-denied',
      agent: 'mailer',
      effects: { 'crm.lookup': 'read' },
    });
    await assert.rejects(
      tools['email.send']({ to: 'bob@example.com' }),
      (error: unknown) => error instanceof CallDeniedError && error.decision.ruleId === rule.id,
    );
    assert.deepEqual(sent, []);
    assert.equal(await tools['crm.lookup']('acme'), 'found acme');
    await control.lift(rule.id);
  });

  it('under draft_only a write resolves with its draft and does not run', async () => {
    const rule = await control.rule({ scope: { tenant: 'wrap-drafted' }, mode: 'draft_only', reason: 'review' });
    const sent: string[] = [];
    const tools = control.guard.wrap(mailTools(sent), { tenant: 'wrap-drafted', agent: 'mailer' });
    const result = await tools['email.send']({ to: 'cy@example.com' });
    assert.ok(isDrafted(result));
    assert.equal(result.tool, 'email.send');
    assert.deepEqual(sent, []);
    await control.lift(rule.id);
  });
});
