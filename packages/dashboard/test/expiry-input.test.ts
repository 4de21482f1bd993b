import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expiryProblem } from '../src/components/expiry-input.js';

describe("the stop form's expiry needs a unit, as the API does", () => {
  it('takes blank (never) and numbers with their unit', () => {
    for (const text of ['', '  ', '30m', '4h', '7d', '90s', '500ms', '1.5h'])
      assert.equal(expiryProblem(text), undefined);
  });

  it('asks "30 what?" of a bare number and refuses anything else', () => {
    assert.equal(expiryProblem('30'), '30 what? write 30s, 30m or 30h');
    assert.equal(expiryProblem(' 5 '), '5 what? write 5s, 5m or 5h');
    assert.match(expiryProblem('soon') ?? '', /"soon" is not a duration/);
    assert.match(expiryProblem('1h30m') ?? '', /not a duration/);
  });
});
