import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SentinelView } from '../src/api/types.js';
import { causeOf, crossingsText, liftGuardText, peakText, trippedBy, tripOf } from '../src/components/sentinel-text.js';

const FLOOD: SentinelView = {
  name: 'email-flood',
  signal: 'writes',
  tool: 'email.*',
  per: 'tenant',
  threshold: 5,
  windowMs: 60_000,
  mode: 'read_only',
  enforce: true,
  observed: { peak: 4, trips: 1, wouldTrips: 0 },
  trips: [
    {
      ruleId: 'r_1',
      scope: { tenant: 'acme', tool: 'email.*' },
      cause: { sentinel: 'email-flood', count: 4, threshold: 3, windowMs: 60_000, hot: true },
    },
  ],
};

describe('a sentinel reads as what it has seen against its threshold', () => {
  it('writes its peak against its threshold in its window', () => {
    assert.equal(peakText(FLOOD), 'peak 4 / 5 in 1m');
    assert.equal(
      peakText({ ...FLOOD, signal: 'spend', threshold: 20, observed: { ...FLOOD.observed!, peak: 12.4 } }),
      'peak $12.40 / $20.00 in 1m',
    );
    assert.equal(peakText({ ...FLOOD, observed: undefined }), undefined);
  });

  it('counts trips when enforcing and would-trips in shadow', () => {
    assert.equal(crossingsText(FLOOD), '1 trip');
    assert.equal(
      crossingsText({ ...FLOOD, enforce: false, observed: { peak: 5, trips: 0, wouldTrips: 3 } }),
      '3 would-trips',
    );
  });
});

describe('a trip whose cause continues is named before a lift is pressed', () => {
  it('finds the trip of a rule whose actor is sentinel:<name>, from the standing trips', () => {
    const rule = { id: 'r_1', actor: { id: 'sentinel:email-flood', kind: 'system' as const } };
    assert.equal(trippedBy(rule), 'email-flood');
    assert.equal(causeOf(rule, [FLOOD])?.cause.count, 4);
    assert.equal(causeOf({ ...rule, id: 'r_2' }, [FLOOD]), undefined);
    assert.equal(causeOf({ ...rule, actor: { id: 'sentinel:other', kind: 'system' } }, [FLOOD]), undefined);
    assert.equal(tripOf('r_1', [FLOOD])?.sentinel.name, 'email-flood');
    assert.equal(tripOf('r_2', [FLOOD]), undefined);
    assert.equal(causeOf({ id: 'r_1', actor: { id: 'sentinel:email-flood', kind: 'human' } }, [FLOOD]), undefined);
  });

  it('says the window, the threshold and that force and a reason are needed', () => {
    const cause = FLOOD.trips![0]!.cause;
    assert.equal(
      liftGuardText(cause),
      "sentinel email-flood's window still holds its threshold (4 in 1m, threshold 3): lifting needs force and a reason",
    );
  });
});
