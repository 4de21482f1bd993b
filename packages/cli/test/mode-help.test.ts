import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODES, MODE_TABLE } from '@estop/core';
import { main } from '../src/main.js';
import { bufferIo } from './fake-http.js';

describe("estop kill --help explains every mode in the mode table's words", () => {
  it('lists each mode with its one-line meaning, most restrictive first', async () => {
    const io = bufferIo();
    assert.equal(await main(['kill', '--help'], io), 0);
    const lines = MODES.map((mode) => {
      const line = io
        .out()
        .split('\n')
        .findIndex((text) => text.trim() === `${mode.padEnd(16)}${MODE_TABLE[mode].meaning}`.trim());
      assert.ok(line >= 0, `${mode} and its meaning are on one line of the help`);
      return line;
    });
    assert.deepEqual(
      lines,
      [...lines].sort((a, b) => b - a),
    );
  });
});
