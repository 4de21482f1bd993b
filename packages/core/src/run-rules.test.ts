import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rule } from './rule.js';
import { ruleCancellingCall, ruleStoppingRun } from './run-rules.js';
import { isStopReason } from './stop-reason.js';

function rule(partial: Partial<Rule>): Rule {
  return {
    id: 'r1',
    scope: {},
    mode: 'full_stop',
    reason: 'test',
    actor: { id: 'ops', kind: 'human' },
    createdAt: '2026-01-01T00:00:00.000Z',
    cancelInFlight: false,
    ...partial,
  };
}

const run = { tenant: 'acme', agent: 'mailer', run: 'run-1' };
const now = Date.parse('2026-01-02T00:00:00.000Z');

describe('a run stops only for a full_stop naming no tool', () => {
  it('stops for global, tenant, agent and run full_stops that match it', () => {
    for (const scope of [
      {},
      { tenant: 'acme' },
      { agent: 'mailer' },
      { run: 'run-1' },
      { tenant: 'acme', run: 'run-1' },
    ]) {
      assert.equal(ruleStoppingRun([rule({ scope })], run, now)?.id, 'r1', JSON.stringify(scope));
    }
  });

  it('does not stop for other runs, milder modes, tool-scoped rules or expired rules', () => {
    const rules = [
      rule({ scope: { run: 'run-2' } }),
      rule({ scope: { tenant: 'globex' } }),
      rule({ mode: 'read_only' }),
      rule({ scope: { run: 'run-1', tool: 'email.send' } }),
      rule({ expiresAt: '2026-01-01T12:00:00.000Z' }),
    ];
    assert.equal(ruleStoppingRun(rules, run, now), undefined);
  });

  it('stops for a scheduled full_stop only from its start', () => {
    const scheduled = [rule({ startsAt: '2026-01-02T00:00:00.001Z' })];
    assert.equal(ruleStoppingRun(scheduled, run, now), undefined);
    assert.equal(ruleStoppingRun(scheduled, run, now + 1)?.id, 'r1');
  });
});

describe('a call in flight is cancelled only by a cancelInFlight rule that refuses it', () => {
  const write = { ...run, tool: 'email.send', effect: 'write' as const };
  const read = { ...run, tool: 'crm.lookup', effect: 'read' as const };

  it('cancels writes under any mode and reads only under full_stop', () => {
    const readOnly = rule({ mode: 'read_only', cancelInFlight: true });
    assert.equal(ruleCancellingCall([readOnly], write, now)?.id, 'r1');
    assert.equal(ruleCancellingCall([readOnly], read, now), undefined);
    assert.equal(ruleCancellingCall([rule({ cancelInFlight: true })], read, now)?.id, 'r1');
  });

  it('matches the tool glob and ignores rules without cancelInFlight', () => {
    assert.equal(
      ruleCancellingCall([rule({ scope: { tool: 'email.*' }, cancelInFlight: true })], write, now)?.id,
      'r1',
    );
    assert.equal(
      ruleCancellingCall([rule({ scope: { tool: 'browser.*' }, cancelInFlight: true })], write, now),
      undefined,
    );
    assert.equal(ruleCancellingCall([rule({})], write, now), undefined);
  });
});

describe('stop reasons are a closed set', () => {
  it('accepts the four kinds and nothing else', () => {
    for (const reason of ['killed:r_1', 'timeout', 'ended', 'budget_exceeded:max_usd', 'budget_exceeded:max_steps']) {
      assert.ok(isStopReason(reason), reason);
    }
    for (const reason of ['killed:', 'budget_exceeded:max_money', 'stopped', ''])
      assert.ok(!isStopReason(reason), reason);
  });
});
