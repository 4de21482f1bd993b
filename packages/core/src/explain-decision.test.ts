import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from './decision.js';
import { explainDecision } from './explain-decision.js';

describe('a decision is explained in one wording: where, mode, rule, reason', () => {
  const rule: Decision = {
    outcome: 'deny',
    mode: 'read_only',
    ruleId: 'r_1',
    reason: 'duplicate emails',
    source: 'rule',
  };

  it("names the rule's scope as the caller describes it", () => {
    assert.equal(
      explainDecision(rule, { scope: 'tenant=acme' }),
      'tenant=acme is read_only (rule r_1): duplicate emails',
    );
    assert.equal(
      explainDecision(rule, { scope: 'tenant acme' }),
      'tenant acme is read_only (rule r_1): duplicate emails',
    );
  });

  it('reads a global scope as every call, and an unknown one as this scope', () => {
    assert.equal(
      explainDecision(rule, { scope: 'global' }),
      'every call (a global rule) is read_only (rule r_1): duplicate emails',
    );
    assert.equal(explainDecision(rule), 'this scope is read_only (rule r_1): duplicate emails');
  });

  it('leaves out a rule and a reason it does not have', () => {
    assert.equal(explainDecision({ outcome: 'draft', mode: 'draft_only', reason: '' }), 'this scope is draft_only');
  });

  it('says when the decision comes from failing safe, a break-glass override or an undecidable call', () => {
    assert.match(
      explainDecision({ outcome: 'deny', mode: 'read_only', source: 'stale', reason: 'no word for 3s' }),
      /^everything is read_only while this enforcer fails safe: no word for 3s$/,
    );
    assert.equal(
      explainDecision({ outcome: 'deny', mode: 'full_stop', source: 'break_glass' }),
      'a local break-glass override makes everything full_stop',
    );
    assert.equal(
      explainDecision({ outcome: 'deny', source: 'invalid_call', reason: 'arguments are not JSON' }),
      'the call could not be decided: arguments are not JSON',
    );
  });

  it('says so when nothing covers the call', () => {
    assert.equal(explainDecision({ outcome: 'allow' }), 'no rule covers this call');
  });
});
