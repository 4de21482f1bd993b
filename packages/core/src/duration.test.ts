import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationText, MAX_DURATION_MS, parseDuration } from './duration.js';
import { isEstopError } from './errors.js';

describe('a duration reads as milliseconds in its unit', () => {
  const cases: [string, number][] = [
    ['500ms', 500],
    ['2s', 2_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1.5s', 1_500],
    ['0.5m', 30_000],
    ['250ms', 250],
    ['0s', 0],
    // Zero is zero in every unit.
    ['0', 0],
    [' 2s ', 2_000],
  ];
  for (const [text, milliseconds] of cases) {
    it(`reads "${text}" as ${milliseconds} ms`, () => {
      assert.equal(parseDuration(text), milliseconds);
    });
  }

  it('rounds fractions of a millisecond', () => {
    assert.equal(parseDuration('1.4ms'), 1);
    assert.equal(parseDuration('0.0015s'), 2);
  });
});

describe('a number without a unit is refused, saying what to write', () => {
  for (const text of ['30', '1', ' 30 ', '1.5', '0.5']) {
    it(`rejects "${text}"`, () => {
      const number = text.trim();
      assert.throws(
        () => parseDuration(text),
        (error: unknown) =>
          isEstopError(error, 'invalid_request') &&
          error.message === `${number} what? write ${number}s, ${number}m or ${number}h`,
      );
    });
  }
});

describe('a duration is bounded', () => {
  it('accepts up to 366 days by default, and refuses longer', () => {
    assert.equal(parseDuration('366d'), MAX_DURATION_MS);
    assert.equal(parseDuration('8784h'), MAX_DURATION_MS);
    for (const text of ['367d', '8785h', '99999999999999999999999d', `${'9'.repeat(400)}ms`]) {
      assert.throws(
        () => parseDuration(text),
        (error: unknown) => isEstopError(error, 'invalid_request') && error.message.includes('at most 366d'),
        text,
      );
    }
  });

  it('takes a smaller bound from its caller', () => {
    assert.equal(parseDuration('24h', 86_400_000), 86_400_000);
    assert.throws(() => parseDuration('25h', 86_400_000), /at most 1d/);
  });
});

describe('anything else is an invalid request', () => {
  for (const text of ['', 'soon', '-1s', '1w', '1 s', '1.s', '.5s', '2S', '1h30m', 'ms']) {
    it(`rejects "${text}"`, () => {
      assert.throws(
        () => parseDuration(text),
        (error: unknown) => isEstopError(error, 'invalid_request') && error.message.includes('is not a duration'),
      );
    });
  }
});

describe('a duration is written in the largest unit that states it exactly, and reads back the same', () => {
  it('writes whole units and falls back to milliseconds', () => {
    const cases: [number, string][] = [
      [90_000, '90s'],
      [600_000, '10m'],
      [7_200_000, '2h'],
      [86_400_000, '1d'],
      [750, '750ms'],
      [0, '0ms'],
    ];
    for (const [ms, text] of cases) {
      assert.equal(durationText(ms), text);
      assert.equal(parseDuration(text), ms);
    }
  });
});
