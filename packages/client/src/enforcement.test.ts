import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Enforcement } from '@estop/core';
import { allAcknowledged, fullyEnforced, runStopStage } from './enforcement.js';

const enforcement = (acknowledged: number, total: number, pending: Enforcement['pending'] = []): Enforcement => ({
  version: 3,
  acknowledged,
  total,
  pending,
});

describe('a version is enforced when every connected enforcer has applied it', () => {
  it('counts no enforcer connected as acknowledged, but names a straggler as not enforced', () => {
    assert.equal(allAcknowledged(enforcement(0, 0)), true);
    assert.equal(allAcknowledged(enforcement(1, 2)), false);
    assert.equal(fullyEnforced(enforcement(2, 2)), true);
    assert.equal(fullyEnforced(enforcement(2, 2, [{ id: 'e', name: 'worker', version: 2 }])), false);
  });

  it('never calls a stop terminated while a call of its runs still runs', () => {
    assert.equal(runStopStage({ affected: 1, stopped: 1, terminated: 1, inFlight: 1 }), 'enforced');
    assert.equal(runStopStage({ affected: 0, stopped: 0, terminated: 0, inFlight: 0 }), 'terminated');
  });
});
