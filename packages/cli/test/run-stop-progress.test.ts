import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bufferIo } from './fake-http.js';
import { main } from '../src/index.js';
import { describeRunStop, runStopStage } from '../src/run-stop-progress.js';

describe('a stop is never reported terminated while anything of its runs still runs', () => {
  it('holds for every combination of counts', () => {
    const counts = fc
      .record({ affected: fc.nat(20), stopped: fc.nat(20), terminated: fc.nat(20), inFlight: fc.nat(20) })
      .filter((runs) => runs.terminated <= runs.stopped && runs.stopped <= runs.affected);
    fc.assert(
      fc.property(counts, (runs) => {
        const stage = runStopStage(runs);
        if (stage === 'terminated') assert.ok(runs.inFlight === 0 && runs.terminated === runs.affected);
        if (stage === 'drained' || stage === 'enforced') assert.equal(runs.stopped, runs.affected);
        if (stage === 'drained') assert.equal(runs.inFlight, 0);
      }),
    );
  });

  it('names each stage in order', () => {
    assert.equal(runStopStage({ affected: 2, stopped: 1, terminated: 0, inFlight: 3 }), 'requested');
    assert.equal(runStopStage({ affected: 2, stopped: 2, terminated: 1, inFlight: 1 }), 'enforced');
    assert.equal(runStopStage({ affected: 2, stopped: 2, terminated: 1, inFlight: 0 }), 'drained');
    assert.equal(runStopStage({ affected: 2, stopped: 2, terminated: 2, inFlight: 0 }), 'terminated');
    assert.equal(
      describeRunStop({ affected: 2, stopped: 2, terminated: 1, inFlight: 1 }),
      'runs: 2 affected, 2 stopped, 1 call in flight, 1 terminated: enforced',
    );
  });
});

describe('estop runs kill says what is missing from its command line', () => {
  it('needs a run id and a reason', async () => {
    const missingId = bufferIo({ ESTOP_URL: 'http://127.0.0.1:1' });
    assert.equal(await main(['runs', 'kill', '--reason', 'looping'], missingId), 2);
    assert.match(missingId.err(), /which run\?/);
    const missingReason = bufferIo({ ESTOP_URL: 'http://127.0.0.1:1' });
    assert.equal(await main(['runs', 'kill', 'run_1'], missingReason), 2);
    assert.match(missingReason.err(), /--reason is required/);
  });
});
