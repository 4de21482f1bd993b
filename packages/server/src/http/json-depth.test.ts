import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonNestsDeeperThan } from './json-depth.js';

describe('JSON nesting is measured without recursion', () => {
  it('counts arrays and objects', () => {
    assert.equal(jsonNestsDeeperThan('[[1]]', 2), false);
    assert.equal(jsonNestsDeeperThan('[[[1]]]', 2), true);
    assert.equal(jsonNestsDeeperThan('{"a":{"b":{}}}', 2), true);
  });
  it('does not count brackets in strings, escaped quotes included', () => {
    assert.equal(jsonNestsDeeperThan('["[[[[", "\\"[[[[", {"{{{": 1}]', 2), false);
  });
  it('measures a million levels without exhausting the stack', () => {
    assert.equal(jsonNestsDeeperThan('['.repeat(1_000_000), 64), true);
  });
});
