import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRuleIndex, decide } from '@estop/core';
import { FailSafe } from './fail-safe.js';

const index = buildRuleIndex({ version: 1, rules: [], tools: {} });
const write = { tenant: 'acme', tool: 'email.send', effect: 'write' } as const;
const read = { tenant: 'acme', tool: 'crm.lookup', effect: 'read' } as const;

describe('the fail-safe floor is the more restrictive of the fail mode and break-glass', () => {
  it('fails safe to the fail mode when stale, and imposes nothing when fresh', () => {
    const failSafe = new FailSafe('read_only', 15_000);
    assert.equal(failSafe.fresh, undefined);
    assert.deepEqual(
      { ...decide(index, write, 0, failSafe.stale) },
      {
        outcome: 'deny',
        mode: 'read_only',
        ruleId: undefined,
        reason: 'no word from the control plane for 15000ms; failing safe to read_only',
        source: 'stale',
      },
    );
    assert.equal(decide(index, read, 0, failSafe.stale).outcome, 'allow');
    assert.equal(decide(index, write, 0, failSafe.unsynced).source, 'stale');
  });

  it('lets a stricter break-glass win over the fail mode, and applies it when fresh too', () => {
    const failSafe = new FailSafe('read_only', 15_000);
    failSafe.setBreakGlass({ mode: 'full_stop', reason: 'drill' });
    for (const floor of [failSafe.fresh, failSafe.stale, failSafe.unsynced]) {
      const decision = decide(index, read, 0, floor);
      assert.equal(decision.outcome, 'deny');
      assert.equal(decision.source, 'break_glass');
    }
  });

  it('keeps a stricter fail mode over a milder break-glass', () => {
    const failSafe = new FailSafe('full_stop', 15_000);
    failSafe.setBreakGlass({ mode: 'draft_only', reason: 'drafts only' });
    assert.equal(decide(index, write, 0, failSafe.fresh).outcome, 'draft');
    assert.equal(decide(index, write, 0, failSafe.stale).source, 'stale');
    assert.equal(decide(index, read, 0, failSafe.stale).outcome, 'deny');
  });

  it('drops the override when break-glass is cleared', () => {
    const failSafe = new FailSafe('read_only', 15_000);
    failSafe.setBreakGlass({ mode: 'full_stop', reason: 'drill' });
    failSafe.setBreakGlass(undefined);
    assert.equal(failSafe.fresh, undefined);
    assert.equal(decide(index, read, 0, failSafe.stale).outcome, 'allow');
  });
});
