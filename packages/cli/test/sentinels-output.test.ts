import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRestoreArgs } from '../src/restore.js';
import { formatSentinel } from '../src/sentinels.js';

const base = {
  name: 'email-flood',
  signal: 'writes',
  tool: 'email.*',
  per: 'tenant',
  threshold: 50,
  windowMs: 60_000,
  mode: 'read_only',
} as const;

describe('estop sentinels shows shadow sentinels and whether the cause of a trip continues', () => {
  it('marks a shadow sentinel and counts its would-trips against its peak', () => {
    const lines = formatSentinel({
      ...base,
      enforce: false,
      observed: { peak: 50, trips: 0, wouldTrips: 4 },
      trips: [],
    });
    assert.deepEqual(lines, [
      'email-flood: 50 writes of email.* per tenant within 1m → read_only (shadow: records, stops nothing)',
      '  peak 50 of 50 within 1m; 4 would-trips',
    ]);
  });

  it('says a standing trip needs --force while its window is over the threshold', () => {
    const cause = { sentinel: 'email-flood', threshold: 50, windowMs: 60_000 };
    const lines = formatSentinel({
      ...base,
      enforce: true,
      observed: { peak: 50, trips: 2, wouldTrips: 0 },
      trips: [
        { ruleId: 'r_1', scope: { tenant: 'acme', tool: 'email.*' }, cause: { ...cause, count: 50, hot: true } },
        { ruleId: 'r_2', scope: { tenant: 'globex', tool: 'email.*' }, cause: { ...cause, count: 12, hot: false } },
      ],
    });
    assert.equal(lines[1], '  peak 50 of 50 within 1m; 2 trips');
    assert.equal(
      lines[2],
      '  r_1 tenant=acme tool=email.*: cause continues (50 of 50 within the last 1m); lifting needs --force',
    );
    assert.equal(lines[3], '  r_2 tenant=globex tool=email.*: cause over (12 of 50 within the last 1m)');
  });

  it('estop restore --force asks for a forced lift or confirmation', () => {
    const lift = parseRestoreArgs(['r_1', '--reason', 'fixed', '--force']);
    assert.equal(lift.action === 'lift' && lift.force, true);
    const confirm = parseRestoreArgs(['confirm', 'rq_1', '--reason', 'ok', '--force']);
    assert.equal(confirm.action === 'confirm' && confirm.force, true);
    const plain = parseRestoreArgs(['r_1', '--reason', 'fixed']);
    assert.equal('force' in plain, false);
  });
});
