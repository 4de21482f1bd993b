import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ago, timestamp, until } from '../src/components/format.js';

const NOW = Date.parse('2026-12-07T04:51:03.000Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

describe('what has happened is never shown in the future, whatever the clocks say', () => {
  it('ages a past time', () => {
    assert.equal(ago(at(-4000), NOW), '4s ago');
    assert.equal(ago(at(-12 * 60_000), NOW), '12m ago');
    assert.equal(ago(at(-3 * 3600_000), NOW), '3h ago');
  });

  it('says just now for the first second and for a time ahead of the browser (a server clock ahead)', () => {
    assert.equal(ago(at(0), NOW), 'just now');
    assert.equal(ago(at(-400), NOW), 'just now');
    assert.equal(ago(at(2000), NOW), 'just now');
    assert.equal(ago(at(4 * 3600_000), NOW), 'just now');
  });

  it('counts down to a deadline, and says now once it has passed', () => {
    assert.equal(until(at(12 * 60_000), NOW), 'in 12m');
    assert.equal(until(at(500), NOW), 'now');
    assert.equal(until(at(-5000), NOW), 'now');
  });
});

describe('dates read the same for everyone: ISO-like, 24-hour, with the zone', () => {
  it('writes UTC to the second', () => {
    assert.equal(timestamp('2026-12-07T04:51:03.456Z'), '2026-12-07 04:51:03 UTC');
    assert.equal(timestamp('2026-12-07T17:05:00+01:00'), '2026-12-07 16:05:00 UTC');
  });

  it('leaves what is not a date as it is', () => {
    assert.equal(timestamp('not a date'), 'not a date');
  });
});
