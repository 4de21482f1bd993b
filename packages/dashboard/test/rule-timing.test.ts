import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rule } from '../src/api/types.js';
import { isScheduled, rulesInForce, scheduledText } from '../src/components/rule-timing.js';

const NOW = Date.parse('2026-12-21T18:00:00.000Z');

function rule(id: string, startsAt?: string): Rule {
  return {
    id,
    scope: { tenant: 'acme' },
    mode: 'full_stop',
    reason: 'maintenance',
    actor: { id: 'ops', kind: 'human' },
    createdAt: '2026-12-21T17:00:00.000Z',
    ...(startsAt === undefined ? {} : { startsAt }),
    cancelInFlight: false,
  };
}

describe('a scheduled stop is not in force until it starts, by the page clock', () => {
  it('counts a rule without startsAt, or whose start has passed, and not one still to start', () => {
    const rules = [rule('now'), rule('started', '2026-12-21T17:59:59.000Z'), rule('later', '2026-12-24T18:00:00.000Z')];
    assert.deepEqual(
      rulesInForce(rules, NOW).map((candidate) => candidate.id),
      ['now', 'started'],
    );
    assert.equal(isScheduled(rules[2] as Rule, NOW), true);
    assert.equal(isScheduled(rules[2] as Rule, Date.parse('2026-12-24T18:00:00.000Z')), false);
  });

  it('says when it starts, in UTC and from now', () => {
    assert.equal(
      scheduledText({ ...rule('later'), startsAt: '2026-12-24T18:00:00.000Z' }, NOW),
      'scheduled — starts 2026-12-24 18:00:00 UTC (in 3d)',
    );
  });
});
