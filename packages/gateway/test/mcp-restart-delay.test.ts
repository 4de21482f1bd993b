import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restartDelay } from '../src/mcp-restart-delay.js';

describe('restarts back off exponentially up to a bound', () => {
  it('doubles from the base and stops at the maximum', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 10, 100].map((failures) => restartDelay(failures, 100, 5000)),
      [100, 200, 400, 800, 5000, 5000],
    );
  });
});
