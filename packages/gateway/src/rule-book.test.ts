import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rule } from '@estop/core';
import { createRuleBook } from './rule-book.js';

function rule(id: string): Rule {
  return {
    id,
    scope: { tenant: 'acme' },
    mode: 'read_only',
    reason: 'test',
    actor: { id: 'alice', kind: 'human' },
    createdAt: '2026-01-01T00:00:00.000Z',
    cancelInFlight: false,
  };
}

describe('the rule book knows the rules applied before it was made, and those applied after', () => {
  it('finds a rule of the first snapshot and one of a later version', () => {
    const guard: { rules: readonly Rule[] } = { rules: [rule('r_early')] };
    const book = createRuleBook(guard);
    assert.equal(book.find('r_early')?.id, 'r_early');
    guard.rules = [rule('r_early'), rule('r_later')];
    assert.equal(book.find('r_later')?.id, 'r_later');
    guard.rules = [];
    assert.equal(book.find('r_early'), undefined);
  });
});
