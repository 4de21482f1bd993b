import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess, type ServerProcess } from './processes.js';

describe('estop kill --at schedules a stop, which estop rules lists as scheduled', () => {
  let server: ServerProcess;
  let admin: Record<string, string>;
  before(async () => {
    server = await startServerProcess();
    admin = { ESTOP_URL: server.url, ESTOP_TOKEN: server.adminToken };
  });
  after(() => server?.stop());

  // A whole hour ahead, in the ISO form an operator types.
  const inTwoHours = () => `${new Date(Math.ceil(Date.now() / 3_600_000 + 2) * 3_600_000).toISOString().slice(0, 19)}Z`;

  it('--at TIME --expires 12h creates a scheduled rule and says when it starts and ends', async () => {
    const at = inTwoHours();
    const kill = await runCli(
      [
        'kill',
        '--tenant',
        'acme',
        '--mode',
        'full_stop',
        '--at',
        at,
        '--expires',
        '12h',
        '--reason',
        'freeze',
        '--wait',
        '0',
      ],
      admin,
    );
    assert.equal(kill.code, 0, kill.stderr);
    const [scheduled, expires] = kill.stdout.split('\n');
    assert.match(
      scheduled ?? '',
      new RegExp(`^scheduled tenant=acme: full_stop \\(rule \\S+, version \\d+\\), from ${at}$`),
    );
    const endsAt = new Date(Date.parse(at) + 12 * 3_600_000).toISOString().replace(/\.000Z$/, 'Z');
    assert.equal(expires, `expires ${endsAt} (12h after it starts)`);

    const listed = await runCli(['rules', '--json'], admin);
    assert.equal(listed.code, 0, listed.stderr);
    const [rule] = JSON.parse(listed.stdout).rules;
    assert.equal(rule.status, 'scheduled');
    assert.equal(rule.startsAt, new Date(at).toISOString());

    const text = await runCli(['rules'], admin);
    assert.match(text.stdout, /version \d+: 1 rule, 1 scheduled/);
    assert.match(text.stdout, /tenant=acme +full_stop \(scheduled, starts in [23]h( \d+m)?\)/);
  });

  it('refuses a time without a zone, and --cancel-in-flight with --at, creating nothing', async () => {
    const before = JSON.parse((await runCli(['rules', '--json'], admin)).stdout).rules.length;
    const noZone = await runCli(['kill', '--tenant', 'globex', '--reason', 'x', '--at', '2026-12-24T18:00:00'], admin);
    assert.equal(noZone.code, 2);
    assert.match(noZone.stderr, /--at "2026-12-24T18:00:00" is not an ISO-8601 time with a zone/);
    const cancelling = await runCli(
      ['kill', '--tenant', 'globex', '--reason', 'x', '--at', inTwoHours(), '--cancel-in-flight'],
      admin,
    );
    assert.equal(cancelling.code, 2);
    assert.match(cancelling.stderr, /--cancel-in-flight cannot be scheduled/);
    const past = await runCli(['kill', '--tenant', 'globex', '--reason', 'x', '--at', '2020-01-01T00:00:00Z'], admin);
    assert.equal(past.code, 1);
    assert.match(past.stderr, /startsAt is in the past/);
    assert.equal(JSON.parse((await runCli(['rules', '--json'], admin)).stdout).rules.length, before);
  });
});
