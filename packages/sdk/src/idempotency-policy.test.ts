import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdempotencyPolicy } from './idempotency-policy.js';

describe('the idempotency window of a tool: an exact name over globs, the first matching glob over the rest', () => {
  it('gives every tool ten minutes by default', () => {
    const problems: string[] = [];
    const policy = new IdempotencyPolicy(undefined, problems);
    assert.equal(policy.windowFor('email.send'), 600_000);
    assert.deepEqual(problems, []);
  });

  it('lets an exact name win over a glob, and the first glob listed win over later ones', () => {
    const problems: string[] = [];
    const policy = new IdempotencyPolicy(
      { windowMs: 1_000, tools: { 'mail.*': false, 'mail.send*': 5_000, 'mail.send_email': 60_000 } },
      problems,
    );
    assert.equal(policy.windowFor('mail.send_email'), 60_000);
    assert.equal(policy.windowFor('mail.send_sms'), false);
    assert.equal(policy.windowFor('orders.create'), 1_000);
    assert.deepEqual(problems, []);
  });

  it('names every bad window', () => {
    const problems: string[] = [];
    new IdempotencyPolicy({ windowMs: 0, tools: { 'a.*': 1.5, b: -1 } }, problems);
    assert.equal(problems.length, 3);
    assert.match(problems[0] ?? '', /idempotency\.windowMs/);
    assert.match(problems[1] ?? '', /idempotency\.tools\["a\.\*"\]/);
  });

  it('lets a repeat wait two minutes in all for an identical write in flight, unless told otherwise', () => {
    const problems: string[] = [];
    assert.equal(new IdempotencyPolicy(undefined, problems).waitMs, 120_000);
    assert.equal(new IdempotencyPolicy({ waitMs: 0 }, problems).waitMs, 0);
    assert.deepEqual(problems, []);
    new IdempotencyPolicy({ waitMs: -5 }, problems);
    assert.match(problems[0] ?? '', /idempotency\.waitMs/);
  });

  it('tells which tools entry sets a tool’s window, so that the gateway can name the key to change', () => {
    const policy = new IdempotencyPolicy({ windowMs: 60_000, tools: { 'mail.*': false, 'mail.send': 5_000 } }, []);
    assert.deepEqual(policy.ruleFor('mail.send'), { window: 5_000, pattern: 'mail.send' });
    assert.deepEqual(policy.ruleFor('mail.toggle'), { window: false, pattern: 'mail.*' });
    assert.deepEqual(policy.ruleFor('docs.read'), { window: 60_000 });
  });
});
