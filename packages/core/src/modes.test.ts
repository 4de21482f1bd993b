import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODES, MODE_TABLE, modeRank, moreRestrictive, parseMode } from './modes.js';

describe('modes are ordered from least to most restrictive', () => {
  it('ranks approval_gated < draft_only < read_only < full_stop', () => {
    assert.deepEqual(
      MODES.map((mode) => modeRank(mode)),
      [0, 1, 2, 3],
    );
    assert.deepEqual(MODES, ['approval_gated', 'draft_only', 'read_only', 'full_stop']);
  });

  it('picks the more restrictive of two modes, whatever their order', () => {
    for (const a of MODES)
      for (const b of MODES) {
        const expected = modeRank(a) >= modeRank(b) ? a : b;
        assert.equal(moreRestrictive(a, b), expected);
        assert.equal(moreRestrictive(b, a), expected);
      }
  });
});

describe('a mode is named by itself or by an alias', () => {
  it('parses every mode and disable_writes', () => {
    for (const mode of MODES) assert.equal(parseMode(mode), mode);
    assert.equal(parseMode('disable_writes'), 'read_only');
  });

  it('returns undefined for an unknown name, including inherited object keys', () => {
    for (const name of ['stop', 'FULL_STOP', '', 'toString', '__proto__', 'constructor']) {
      assert.equal(parseMode(name), undefined);
    }
  });
});

describe('the mode table is the one place a mode is declared', () => {
  it('ranks the modes 0, 1, 2, … in table order, with no two alike', () => {
    assert.deepEqual(
      MODES.map((mode) => MODE_TABLE[mode].rank),
      MODES.map((_, index) => index),
    );
    assert.deepEqual(Object.keys(MODE_TABLE).sort(), [...MODES].sort());
  });

  it('gives each mode what reads and writes get, a meaning and whether its lift is governed', () => {
    assert.deepEqual(
      MODES.map((mode) => [mode, MODE_TABLE[mode].reads, MODE_TABLE[mode].writes, MODE_TABLE[mode].governedLift]),
      [
        ['approval_gated', 'allow', 'needs_approval', false],
        ['draft_only', 'allow', 'draft', false],
        ['read_only', 'allow', 'deny', false],
        ['full_stop', 'deny', 'deny', true],
      ],
    );
    for (const mode of MODES) assert.match(MODE_TABLE[mode].meaning, /^[a-z].{10,80}$/);
  });

  it('a more restrictive mode never gives a call more than a less restrictive one', () => {
    const order = ['allow', 'needs_approval', 'draft', 'deny'];
    for (const [lower, higher] of MODES.slice(0, -1).map((mode, index) => [mode, MODES[index + 1]!] as const)) {
      assert.ok(
        order.indexOf(MODE_TABLE[higher].writes) >= order.indexOf(MODE_TABLE[lower].writes),
        `${higher} writes`,
      );
      assert.ok(order.indexOf(MODE_TABLE[higher].reads) >= order.indexOf(MODE_TABLE[lower].reads), `${higher} reads`);
    }
  });
});
