import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RunBudget, toMicroUsd, type Reservation } from './run-budget.js';

describe('parallel reservations can never together exceed maxUsd', () => {
  it('holds for any limit, any estimates, and any interleaving of reserve, commit and release', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), usd: fc.double({ min: 0, max: 5, noNaN: true }) }),
      fc.record({
        kind: fc.constant('commit' as const),
        pick: fc.nat(),
        fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('charge' as const), usd: fc.double({ min: 0, max: 0.5, noNaN: true }) }),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.array(operation, { maxLength: 200 }),
        (maxUsd, operations) => {
          const budget = new RunBudget({ maxUsd });
          const held: Reservation[] = [];
          let charged = 0;
          for (const step of operations) {
            if (step.kind === 'reserve') {
              const reservation = budget.reserve({ usd: step.usd });
              if (typeof reservation !== 'string') held.push(reservation);
              else assert.equal(reservation, 'max_usd');
            } else if (step.kind === 'charge') {
              // Unreserved spend may pass the limit (it has happened); only what is reserved is promised.
              if (budget.charge(step.usd) === 'max_usd') return;
              charged += toMicroUsd(step.usd);
            } else if (held.length > 0) {
              const [reservation] = held.splice(step.pick % held.length, 1) as [Reservation];
              // An honest estimate: the call costs at most what it reserved.
              if (step.kind === 'commit') budget.commit(reservation, (reservation.microUsd * step.fraction) / 1e6);
              else budget.release(reservation);
            }
            const usage = budget.usage();
            assert.ok(
              toMicroUsd(usage.spentUsd) + toMicroUsd(usage.reservedUsd) <= toMicroUsd(maxUsd),
              `spent ${usage.spentUsd} + held ${usage.reservedUsd} > ${maxUsd} (charged ${charged})`,
            );
          }
        },
      ),
    );
  });

  it('counts money in whole micro-dollars, so ten reservations of 0.1 fit exactly in 1.0', () => {
    const budget = new RunBudget({ maxUsd: 1 });
    for (let index = 0; index < 10; index++) assert.notEqual(typeof budget.reserve({ usd: 0.1 }), 'string');
    assert.equal(budget.reserve({ usd: 0.000001 }), 'max_usd');
  });
});

describe('tool calls and steps stop at their limits', () => {
  it('refuses the tool call beyond maxToolCalls, counting calls still held', () => {
    const budget = new RunBudget({ maxToolCalls: 2 });
    const first = budget.reserve();
    const second = budget.reserve();
    assert.equal(budget.reserve(), 'max_tool_calls');
    assert.ok(typeof first !== 'string' && typeof second !== 'string');
    budget.release(first);
    const third = budget.reserve();
    assert.ok(typeof third !== 'string');
    budget.commit(second);
    budget.commit(third);
    assert.equal(budget.reserve(), 'max_tool_calls');
    assert.equal(budget.usage().toolCalls, 2);
  });

  it('allows exactly maxSteps steps', () => {
    const budget = new RunBudget({ maxSteps: 3 });
    assert.deepEqual(
      [budget.step(), budget.step(), budget.step(), budget.step()],
      [undefined, undefined, undefined, 'max_steps'],
    );
    assert.equal(budget.usage().steps, 3);
  });

  it('reports max_seconds once the time budget has elapsed', () => {
    const budget = new RunBudget({ maxSeconds: 2 });
    assert.equal(budget.checkElapsed(1999), undefined);
    assert.equal(budget.checkElapsed(2000), 'max_seconds');
  });

  it('reports max_usd when an actual cost passes the limit, and counts it as spent', () => {
    const budget = new RunBudget({ maxUsd: 1 });
    const reservation = budget.reserve({ usd: 0.5 });
    assert.ok(typeof reservation !== 'string');
    assert.equal(budget.commit(reservation, 1.2), 'max_usd');
    assert.equal(budget.usage().spentUsd, 1.2);
  });

  it('refuses negative and non-finite costs', () => {
    assert.throws(() => new RunBudget().reserve({ usd: -1 }), RangeError);
    assert.throws(() => new RunBudget().charge(Number.NaN), RangeError);
  });
});
