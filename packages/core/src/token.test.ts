import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLES, isReservedPrincipalName, roleAllows } from './token.js';

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

describe("estop's own names are reserved for principals", () => {
  it('refuses system, admin, bootstrap-admin, the environment admin and sentinel:/budget: names, in any case', () => {
    for (const name of [
      'system',
      'Admin',
      'bootstrap-admin',
      'admin (ESTOP_ADMIN_TOKEN)',
      'sentinel:flood',
      'BUDGET:x',
    ]) {
      assert.equal(isReservedPrincipalName(name), true, name);
    }
    for (const name of ['alice', 'ci-bot', 'administrator', 'systems-team']) {
      assert.equal(isReservedPrincipalName(name), false, name);
    }
  });
});
