import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EstopError } from '@estop/core';
import { parseBreakGlass, stricterOverride } from './break-glass.js';

describe('a break-glass value fails closed', () => {
  it('reads a mode name, trimmed and in any case, aliases included', () => {
    const errors: EstopError[] = [];
    assert.equal(
      parseBreakGlass(' READ_ONLY\n', 'ESTOP_BREAK_GLASS', (error) => errors.push(error))?.mode,
      'read_only',
    );
    assert.equal(
      parseBreakGlass('disable_writes', 'ESTOP_BREAK_GLASS', (error) => errors.push(error))?.mode,
      'read_only',
    );
    assert.equal(parseBreakGlass('full_stop', 'ESTOP_BREAK_GLASS', (error) => errors.push(error))?.mode, 'full_stop');
    assert.deepEqual(errors, []);
  });

  it('treats an absent or empty value as no override', () => {
    const onError = (): void => assert.fail('no error expected');
    assert.equal(parseBreakGlass(undefined, 'ESTOP_BREAK_GLASS', onError), undefined);
    assert.equal(parseBreakGlass('  \n', 'ESTOP_BREAK_GLASS', onError), undefined);
  });

  it('turns an unknown value into full_stop and reports it', () => {
    const errors: EstopError[] = [];
    const override = parseBreakGlass('stop please', 'ESTOP_BREAK_GLASS', (error) => errors.push(error));
    assert.equal(override?.mode, 'full_stop');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'config_invalid');
    assert.match(errors[0]?.message ?? '', /ESTOP_BREAK_GLASS/);
  });

  it('combines two overrides into the more restrictive', () => {
    const readOnly = { mode: 'read_only', reason: 'a' } as const;
    const fullStop = { mode: 'full_stop', reason: 'b' } as const;
    assert.equal(stricterOverride(readOnly, fullStop), fullStop);
    assert.equal(stricterOverride(fullStop, readOnly), fullStop);
    assert.equal(stricterOverride(undefined, readOnly), readOnly);
    assert.equal(stricterOverride(readOnly, undefined), readOnly);
  });
});
