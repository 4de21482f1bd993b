import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EstopError, isEstopError } from './errors.js';
import type * as Errors from './errors.js';

/** A second copy of this module, as an application that bundles two versions of core holds. */
async function secondCopy(): Promise<typeof Errors> {
  const url = new URL('./errors.ts', import.meta.url);
  url.searchParams.set('copy', 'second');
  return (await import(url.href)) as typeof Errors;
}

describe('two copies of core in one application agree on what an estop error is', () => {
  it('loads a second copy whose class is not this one', async () => {
    const other = await secondCopy();
    assert.notEqual(other.EstopError, EstopError);
  });

  it('isEstopError recognises an error made by the other copy, and its code', async () => {
    const other = await secondCopy();
    const foreign = new other.EstopError({ code: 'forbidden', message: 'no' });
    assert.equal(isEstopError(foreign), true);
    assert.equal(isEstopError(foreign, 'forbidden'), true);
    assert.equal(isEstopError(foreign, 'conflict'), false);
    assert.equal(other.isEstopError(new EstopError({ code: 'timeout', message: 'late' }), 'timeout'), true);
  });

  it('instanceof EstopError holds across copies too', async () => {
    const other = await secondCopy();
    assert.equal(new other.EstopError({ code: 'internal', message: 'x' }) instanceof EstopError, true);
    assert.equal(new EstopError({ code: 'internal', message: 'x' }) instanceof other.EstopError, true);
  });

  it('a subclass is still checked by its prototype chain', () => {
    class NarrowError extends EstopError {}
    assert.equal(new NarrowError({ code: 'conflict', message: 'x' }) instanceof NarrowError, true);
    assert.equal(new EstopError({ code: 'conflict', message: 'x' }) instanceof NarrowError, false);
    assert.equal(new NarrowError({ code: 'conflict', message: 'x' }) instanceof EstopError, true);
  });

  it('anything without the marker is not an estop error, a copy of its fields included', () => {
    const copied = { ...new EstopError({ code: 'forbidden', message: 'x' }) };
    for (const value of [
      new Error('x'),
      { code: 'forbidden', message: 'x' },
      copied,
      null,
      undefined,
      'forbidden',
      3,
    ]) {
      assert.equal(isEstopError(value), false);
      assert.equal(value instanceof EstopError, false);
    }
  });
});
