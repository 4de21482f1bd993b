import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draftedCall, isDrafted } from './drafted-call.js';

describe('a drafted call is told apart from a tool result', () => {
  it('recognises a draft, also after a trip through JSON, and nothing else', () => {
    const drafted = draftedCall(
      'email.send',
      { id: 'dr_1', tenant: 'acme', tool: 'email.send', args: null, actor: { id: 'w', kind: 'agent' }, at: '' },
      { outcome: 'draft', mode: 'draft_only', ruleId: 'r_2', reason: 'review first' },
    );
    assert.ok(isDrafted(drafted));
    assert.ok(isDrafted(JSON.parse(JSON.stringify(drafted))));
    assert.match(drafted.message, /^email\.send was not executed: .*\(rule r_2\): review first\. .*draft dr_1/);
    for (const other of [null, 'drafted', { drafted: 'yes', draftId: 'dr_1', message: '' }, { drafted: true }]) {
      assert.equal(isDrafted(other), false);
    }
  });
});
