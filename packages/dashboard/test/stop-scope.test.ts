import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingName, scopeOf, type ScopeFields } from '../src/components/stop-scope.js';

const blank: ScopeFields = { kind: 'global', tenant: '', agent: '', run: '', tool: '' };

describe('an empty name in the stop form is missing, never a global stop', () => {
  it('asks for the name the chosen level needs', () => {
    assert.equal(missingName({ ...blank, kind: 'tenant' }), "Enter the tenant's name");
    assert.equal(missingName({ ...blank, kind: 'tenant', tenant: '   ' }), "Enter the tenant's name");
    assert.equal(missingName({ ...blank, kind: 'agent', tenant: 'acme' }), "Enter the agent's name");
    assert.equal(missingName({ ...blank, kind: 'run' }), 'Enter the run id');
    assert.equal(missingName({ ...blank, kind: 'tool' }), "Enter the tool's name or glob");
  });

  it('asks nothing once the level is named, and nothing of global', () => {
    assert.equal(missingName(blank), undefined);
    assert.equal(missingName({ ...blank, kind: 'tenant', tenant: 'acme' }), undefined);
    assert.equal(missingName({ ...blank, kind: 'agent', agent: 'mailer' }), undefined);
    assert.equal(missingName({ ...blank, kind: 'tool', tool: 'email.*' }), undefined);
  });

  it('builds the scope from the chosen level only, the tenant narrowing it', () => {
    assert.deepEqual(scopeOf({ ...blank, tenant: 'acme' }), {});
    assert.deepEqual(scopeOf({ ...blank, kind: 'tenant', tenant: ' acme ' }), { tenant: 'acme' });
    assert.deepEqual(scopeOf({ ...blank, kind: 'agent', tenant: 'acme', agent: 'mailer', run: 'r1' }), {
      tenant: 'acme',
      agent: 'mailer',
    });
    assert.deepEqual(scopeOf({ ...blank, kind: 'tool', tool: 'email.*' }), { tool: 'email.*' });
  });
});
