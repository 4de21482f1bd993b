import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rule } from './rule.js';
import { applyChange, applyResume, type StateSnapshot } from './state.js';

const ACTOR = { id: 'ops', kind: 'human' } as const;
const AT = '2030-01-01T00:00:00.000Z';

function rule(id: string, mode: Rule['mode'] = 'read_only'): Rule {
  return { id, scope: { tenant: 'acme' }, mode, reason: 'r', actor: ACTOR, createdAt: AT, cancelInFlight: false };
}

const snapshot: StateSnapshot = { version: 4, rules: [rule('a'), rule('b')], tools: { 'email.send': 'write' } };

describe('the next change event applies to a snapshot', () => {
  it('adds a created rule and moves to the event version', () => {
    const next = applyChange(snapshot, { version: 5, at: AT, changes: [{ type: 'rule-created', rule: rule('c') }] });
    assert.deepEqual(next, { version: 5, rules: [rule('a'), rule('b'), rule('c')], tools: snapshot.tools });
  });

  it('removes a lifted rule', () => {
    const lift = { ruleId: 'a', actor: ACTOR, reason: 'resolved', at: AT, expired: false };
    const next = applyChange(snapshot, { version: 5, at: AT, changes: [{ type: 'rule-lifted', lift }] });
    assert.deepEqual(next?.rules, [rule('b')]);
  });

  it('replaces a rule created again under the same id', () => {
    const next = applyChange(snapshot, {
      version: 5,
      at: AT,
      changes: [{ type: 'rule-created', rule: rule('a', 'full_stop') }],
    });
    assert.deepEqual(next?.rules, [rule('b'), rule('a', 'full_stop')]);
  });

  it('applies the changes of one event in order', () => {
    const lift = { ruleId: 'c', actor: ACTOR, reason: 'oops', at: AT, expired: false };
    const next = applyChange(snapshot, {
      version: 5,
      at: AT,
      changes: [
        { type: 'rule-created', rule: rule('c') },
        { type: 'rule-lifted', lift },
      ],
    });
    assert.deepEqual(next?.rules, snapshot.rules);
    assert.equal(next?.version, 5);
  });

  it('leaves the original snapshot untouched', () => {
    const before = structuredClone(snapshot);
    applyChange(snapshot, { version: 5, at: AT, changes: [{ type: 'rule-created', rule: rule('c') }] });
    assert.deepEqual(snapshot, before);
  });
});

describe('an event that is not the next version is a gap', () => {
  for (const version of [3, 4, 6, 100]) {
    it(`returns undefined for version ${version} after version 4`, () => {
      assert.equal(
        applyChange(snapshot, { version, at: AT, changes: [{ type: 'rule-created', rule: rule('c') }] }),
        undefined,
      );
    });
  }
});

describe('a resumed stream continues from the snapshot the client holds', () => {
  it("keeps the rules and version and takes the control plane's tool effects", () => {
    const resumed = applyResume(snapshot, { version: 4, tools: { 'email.send': 'read', 'db.drop': 'write' } });
    assert.deepEqual(resumed, {
      version: 4,
      rules: snapshot.rules,
      tools: { 'email.send': 'read', 'db.drop': 'write' },
    });
  });

  it('refuses a resume from another version', () => {
    assert.equal(applyResume(snapshot, { version: 3, tools: {} }), undefined);
    assert.equal(applyResume(snapshot, { version: 5, tools: {} }), undefined);
  });
});
