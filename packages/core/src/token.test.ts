import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLES, roleAllows } from './token.js';

describe('roles grant exactly what they name', () => {
  it('orders the human roles viewer < operator < admin', () => {
    assert.equal(roleAllows('viewer', 'viewer'), true);
    assert.equal(roleAllows('viewer', 'operator'), false);
    assert.equal(roleAllows('operator', 'viewer'), true);
    assert.equal(roleAllows('operator', 'admin'), false);
    assert.equal(roleAllows('admin', 'operator'), true);
  });
  it('lets enforcer work be done by enforcers and admins only', () => {
    assert.deepEqual(
      ROLES.filter((role) => roleAllows(role, 'enforcer')),
      ['admin', 'enforcer'],
    );
  });
  it('gives an agent token nothing but its identity, and no other role an agent identity', () => {
    assert.deepEqual(
      ROLES.filter((role) => roleAllows('agent', role)),
      ['agent'],
    );
    assert.deepEqual(
      ROLES.filter((role) => roleAllows(role, 'agent')),
      ['agent'],
    );
  });
});
