import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODE_TABLE, type Decision, type Rule } from '@estop/core';
import { describeCancellation, describeRefusal } from './describe-refusal.js';
import type { RuleBook } from './rule-book.js';

const rule: Rule = {
  id: 'r_1',
  scope: { tenant: 'acme' },
  mode: 'draft_only',
  reason: 'review first',
  actor: { id: 'alice', kind: 'human' },
  createdAt: '2026-01-01T00:00:00.000Z',
  cancelInFlight: false,
};
const rules: RuleBook = { find: (id) => (id === rule.id ? rule : undefined) } as RuleBook;

function decision(outcome: Decision['outcome'], mode: Decision['mode']): Decision {
  return { outcome, mode, ruleId: 'r_1', reason: 'review first', source: 'rule' };
}

describe("the HTTP gateway's refusals say where, which mode and what it does, in core's words", () => {
  it('a denial names the scope, mode, rule and reason', () => {
    const { error, fields } = describeRefusal('email.send', decision('deny', 'read_only'), rules);
    assert.equal(error.code, 'forbidden');
    assert.equal(error.message, 'email.send was denied: tenant=acme is read_only (rule r_1): review first');
    assert.equal(fields.scope, 'tenant=acme');
  });

  it('a draft or an approval adds what the mode does, from the mode table', () => {
    for (const [outcome, mode] of [
      ['draft', 'draft_only'],
      ['needs_approval', 'approval_gated'],
    ] as const) {
      const { error } = describeRefusal('email.send', decision(outcome, mode), rules);
      assert.equal(error.code, 'conflict');
      assert.equal(
        error.message,
        `email.send was not executed: tenant=acme is ${mode} (rule r_1): review first; ${MODE_TABLE[mode].meaning}`,
      );
    }
  });

  it('a rule it does not know is this scope, and a cancellation names its rule', () => {
    const unknown: Decision = { outcome: 'deny', mode: 'full_stop', ruleId: 'r_9', source: 'rule' };
    assert.equal(
      describeRefusal('x', unknown, rules).error.message,
      'x was denied: this scope is full_stop (rule r_9)',
    );
    assert.match(
      describeCancellation('email.send', decision('deny', 'full_stop'), rules).error.message,
      /^email\.send was cancelled in flight by rule r_1: tenant=acme is full_stop \(rule r_1\): review first; /,
    );
  });
});
