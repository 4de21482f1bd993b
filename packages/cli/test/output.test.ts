import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rule } from '@estop/core';
import type { EnforcerStatus } from '@estop/client';
import { formatAuditEntries, formatAuditVerification } from '../src/audit.js';
import { enforcementSummary, killEnforcementLines } from '../src/kill.js';
import { describeEnforcement, formatAge, formatDuration, formatExpiry, formatTable } from '../src/output.js';
import { describeLift } from '../src/restore.js';
import { formatStatus } from '../src/status.js';
import { formatCreatedToken, formatTokens } from '../src/tokens.js';
import { verifyVerdict } from '../src/verify.js';

const NOW = Date.parse('2026-11-22T04:30:00.000Z');

const rule: Rule = {
  id: 'r_1',
  scope: { tenant: 'acme', tool: 'email.*' },
  mode: 'read_only',
  reason: 'duplicate emails',
  actor: { id: 'alice', kind: 'human' },
  createdAt: '2026-11-22T04:25:00.000Z',
  expiresAt: '2026-11-22T04:55:00.000Z',
  cancelInFlight: false,
};

describe('enforcement is reported honestly', () => {
  it('says all acknowledged, with the time, when all have', () => {
    assert.equal(
      describeEnforcement({ version: 7, acknowledged: 3, total: 3, ms: 14, pending: [] }),
      'enforced on 3/3 enforcers in 14 ms',
    );
    assert.equal(
      describeEnforcement({ version: 7, acknowledged: 1, total: 1, ms: 2.4, pending: [] }),
      'enforced on 1/1 enforcer in 2 ms',
    );
  });

  it('names each enforcer that has not acknowledged, with its version', () => {
    assert.equal(
      describeEnforcement({
        version: 7,
        acknowledged: 2,
        total: 3,
        pending: [{ id: 'sdk_3f', name: 'worker-2', version: 6 }],
      }),
      'enforced on 2/3 enforcers; not yet acknowledged: worker-2 (at version 6)',
    );
    assert.equal(
      describeEnforcement({
        version: 7,
        acknowledged: 1,
        total: 3,
        pending: [
          { id: 'a', name: 'worker-2', version: 6 },
          { id: 'b', name: 'gateway-1', version: 5 },
        ],
      }),
      'enforced on 1/3 enforcers; not yet acknowledged: worker-2 (at version 6), gateway-1 (at version 5)',
    );
  });

  it('says when no enforcer is connected', () => {
    assert.equal(describeEnforcement({ version: 7, acknowledged: 0, total: 0, pending: [] }), 'no enforcers connected');
    assert.deepEqual(killEnforcementLines({ version: 7, acknowledged: 0, total: 0, pending: [] }), [
      'no enforcers connected',
      'the rule applies to each enforcer as it connects',
    ]);
  });

  it('kill --json carries the enforcement without repeating the version', () => {
    assert.deepEqual(
      enforcementSummary({ version: 7, acknowledged: 2, total: 3, pending: [{ id: 'x', name: 'w', version: 6 }] }),
      { acknowledged: 2, total: 3, ms: undefined, pending: [{ id: 'x', name: 'w', version: 6 }] },
    );
  });
});

describe('verify passes only when every connected enforcer has applied the version', () => {
  it('passes when all have', () => {
    const verdict = verifyVerdict({ version: 7, acknowledged: 2, total: 2, ms: 5, pending: [] });
    assert.equal(verdict.ok, true);
    assert.equal(verdict.warning, undefined);
    assert.deepEqual(verdict.lines, ['version 7: enforced on 2/2 enforcers in 5 ms']);
  });

  it('fails naming the stragglers', () => {
    const verdict = verifyVerdict({
      version: 7,
      acknowledged: 1,
      total: 2,
      pending: [{ id: 'x', name: 'worker-2', version: 6 }],
    });
    assert.equal(verdict.ok, false);
    assert.match(verdict.lines.join('\n'), /worker-2 \(at version 6\)/);
  });

  it('passes with a warning when none is connected', () => {
    const verdict = verifyVerdict({ version: 7, acknowledged: 0, total: 0, pending: [] });
    assert.equal(verdict.ok, true);
    assert.match(verdict.lines[0] ?? '', /no enforcers connected/);
    assert.match(verdict.warning ?? '', /^warning: /);
  });
});

describe('tables line up their columns', () => {
  it('pads every column but the last to its widest cell', () => {
    assert.deepEqual(
      formatTable(
        ['ID', 'MODE', 'REASON'],
        [
          ['r_1', 'full_stop', 'x'],
          ['r_22', 'read_only', 'a longer reason'],
        ],
      ),
      ['ID    MODE       REASON', 'r_1   full_stop  x', 'r_22  read_only  a longer reason'],
    );
  });
});

describe('times are shown relative to now, compactly', () => {
  it('formats durations', () => {
    assert.equal(formatDuration(850), '850ms');
    assert.equal(formatDuration(12_400), '12s');
    assert.equal(formatDuration(5 * 60_000 + 3000), '5m');
    assert.equal(formatDuration(3 * 3_600_000), '3h');
    assert.equal(formatDuration(3 * 3_600_000 + 20 * 60_000), '3h 20m');
    assert.equal(formatDuration(2 * 86_400_000 + 4 * 3_600_000), '2d 4h');
  });

  it('formats ages and expiries', () => {
    assert.equal(formatAge('2026-11-22T04:25:00.000Z', NOW), '5m');
    assert.equal(formatAge('not a time', NOW), '?');
    assert.equal(formatExpiry(undefined, NOW), 'never');
    assert.equal(formatExpiry('2026-11-22T04:55:00.000Z', NOW), 'in 25m');
    assert.equal(formatExpiry('2026-11-22T04:00:00.000Z', NOW), 'expired');
  });
});

describe('status shows every active rule and every enforcer with its applied version', () => {
  const enforcers: EnforcerStatus[] = [
    {
      id: 'sdk_1',
      name: 'worker-1',
      kind: 'sdk',
      host: 'h1',
      version: 7,
      inFlight: 0,
      lastSeenAt: '2026-11-22T04:29:58.000Z',
      connected: true,
      current: true,
    },
    {
      id: 'sdk_2',
      name: 'worker-2',
      kind: 'sdk',
      version: 6,
      inFlight: 2,
      lastSeenAt: '2026-11-22T04:29:50.000Z',
      connected: true,
      current: false,
    },
    {
      id: 'gw_1',
      name: 'gateway-1',
      kind: 'gateway',
      version: 3,
      inFlight: 0,
      lastSeenAt: '2026-11-22T03:00:00.000Z',
      connected: false,
      current: false,
    },
  ];

  it('lists rules with scope, mode, actor, age, expiry and reason', () => {
    const text = formatStatus({ version: 7, rules: [rule], enforcers, sentinels: [] }, NOW).join('\n');
    assert.match(text, /^version 7$/m);
    assert.match(text, /active rules \(1\):/);
    assert.match(text, /r_1 +tenant=acme tool=email\.\* +read_only +alice +5m +in 25m +duplicate emails/);
  });

  it('marks each enforcer current, behind or disconnected', () => {
    const text = formatStatus({ version: 7, rules: [rule], enforcers, sentinels: [] }, NOW).join('\n');
    assert.match(text, /enforcers \(2 connected, 1 current at version 7\):/);
    assert.match(text, /worker-1 .* 7 .* current$/m);
    assert.match(text, /worker-2 .* 6 .* behind$/m);
    assert.match(text, /gateway-1 .* 3 .* disconnected$/m);
  });

  it('says plainly when nothing is stopped and nothing enforces', () => {
    const text = formatStatus({ version: 0, rules: [], enforcers: [], sentinels: [] }, NOW).join('\n');
    assert.match(text, /no active rules/);
    assert.match(text, /no enforcers registered/);
    assert.doesNotMatch(text, /sentinels/);
  });

  it('lists the sentinels that may trip on their own, one a line', () => {
    const sentinels = [
      {
        name: 'email-flood',
        signal: 'writes',
        tool: 'email.*',
        per: 'tenant',
        threshold: 50,
        windowMs: 60_000,
        mode: 'read_only',
      },
      {
        name: 'loop',
        signal: 'duplicates',
        per: 'run',
        threshold: 5,
        windowMs: 600_000,
        mode: 'full_stop',
        expiresInMs: 1_800_000,
      },
    ] as const;
    const text = formatStatus({ version: 0, rules: [], enforcers: [], sentinels: [...sentinels] }, NOW).join('\n');
    assert.match(text, /^sentinels \(2\):$/m);
    assert.match(text, /^ {2}email-flood: 50 writes of email\.\* per tenant within 1m → read_only$/m);
    assert.match(text, /^ {2}loop: 5 duplicates per run within 10m → full_stop for 30m$/m);
    const spend = {
      name: 'big-spender',
      signal: 'spend',
      per: 'tenant',
      threshold: 25,
      windowMs: 3_600_000,
      mode: 'full_stop',
    } as const;
    assert.match(
      formatStatus({ version: 0, rules: [], enforcers: [], sentinels: [spend] }, NOW).join('\n'),
      /big-spender: \$25 spent per tenant within 1h → full_stop$/m,
    );
  });
});

describe('audit output shows who did what, where and why', () => {
  const entry = {
    seq: 4,
    at: '2026-11-22T04:25:00.000Z',
    action: 'rule-created' as const,
    actor: { id: 'alice', kind: 'human' as const },
    reason: 'duplicate emails',
    scope: { tenant: 'acme' },
    ruleId: 'r_1',
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  };

  it('prints seq, time, actor, action, scope and reason', () => {
    const lines = formatAuditEntries([entry], { seq: 4, hash: entry.hash });
    assert.match(lines[0] ?? '', /^SEQ +TIME +ACTOR +ACTION +SCOPE +REASON$/);
    assert.match(
      lines[1] ?? '',
      /^4 +2026-11-22T04:25:00\.000Z +alice +rule-created r_1 +tenant=acme +duplicate emails$/,
    );
    assert.equal(lines.length, 2);
  });

  it('points at the next page when the log goes on', () => {
    const lines = formatAuditEntries([entry], { seq: 9, hash: 'c'.repeat(64) });
    assert.match(lines.at(-1) ?? '', /estop audit list --after 4/);
  });

  it('names the broken entry', () => {
    assert.match(
      formatAuditVerification({ ok: false, entries: 10, brokenAt: 6, problem: 'entry 6 was altered' }),
      /BROKEN at entry 6: entry 6 was altered/,
    );
    assert.match(
      formatAuditVerification({ ok: true, entries: 10, head: { seq: 10, hash: 'f'.repeat(64) } }),
      /intact: 10 entries/,
    );
  });
});

describe('other command output', () => {
  it('a created token prints its secret alone on a line, once, with a warning', () => {
    const lines = formatCreatedToken('estop_secret', {
      id: 't_1',
      name: 'oncall',
      principalId: 'p_1',
      role: 'operator',
      tenant: 'acme',
      createdAt: '2026-11-22T04:25:00.000Z',
      createdBy: 'admin',
    });
    assert.equal(lines.filter((line) => line === 'estop_secret').length, 1);
    assert.match(lines.join('\n'), /will not be shown again/);
    assert.match(lines[0] ?? '', /tenant acme/);
  });

  it('token lists show revoked tokens as revoked', () => {
    const text = formatTokens([
      { id: 't_1', name: 'a', principalId: 'p_a', role: 'admin', createdAt: 'T1', createdBy: 'bootstrap' },
      {
        id: 't_2',
        name: 'b',
        principalId: 'p_b',
        role: 'viewer',
        tenant: 'acme',
        createdAt: 'T2',
        createdBy: 'a',
        revokedAt: 'T3',
      },
    ]).join('\n');
    assert.match(text, /t_1 .* admin .* - .* active$/m);
    assert.match(text, /t_2 .* acme .* revoked T3$/m);
  });

  it('a lift names the rule, the actor and the version', () => {
    assert.equal(
      describeLift({ ruleId: 'r_1', actor: { id: 'bob', kind: 'human' }, reason: 'fixed', at: 'T', expired: false }, 8),
      'restored: lifted rule r_1 (by bob, version 8)',
    );
  });
});
