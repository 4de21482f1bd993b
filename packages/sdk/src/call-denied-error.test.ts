import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainDecision, isEstopError, type Decision } from '@estop/core';
import { CallDeniedError } from './run-stopped-error.js';

describe('a refused call says why in the one wording of core', () => {
  it("carries explainDecision's words beside its short message", () => {
    const decision: Decision = {
      outcome: 'deny',
      mode: 'read_only',
      ruleId: 'r_1',
      reason: 'incident 9',
      source: 'rule',
    };
    const error = new CallDeniedError('send_email', decision);
    assert.equal(error.explanation, 'this scope is read_only (rule r_1): incident 9');
    assert.equal(error.explanation, explainDecision(decision));
    assert.equal(error.details?.explanation, error.explanation);
    assert.equal(error.message, 'send_email: deny (read_only): incident 9');
    assert.ok(isEstopError(error, 'forbidden'));
  });
});
