import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODES, modeRank, moreRestrictive, parseMode } from './modes.js';

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
