import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_URL, parseOrUsage, resolveConnection } from '../src/args.js';
import { parseAuditListArgs } from '../src/audit.js';
import { UsageError } from '../src/command.js';
import { DRILL_TENANT, parseDrillArgs } from '../src/drill.js';
import { parseKillArgs } from '../src/kill.js';
import { main } from '../src/main.js';
import { parseRestoreArgs } from '../src/restore.js';
import { parseRunKillArgs } from '../src/runs.js';
import { parseTokenCreateArgs } from '../src/tokens.js';
import { parseVerifyArgs } from '../src/verify.js';
import { parseArgs } from 'node:util';
import { bufferIo, closedUrl } from './fake-http.js';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a UsageError');
}

describe('kill refuses an empty scope without --global', () => {
  it('is a usage error that explains --global', () => {
    const message = usageMessage(() => parseKillArgs(['--mode', 'read_only', '--reason', 'x']));
    assert.match(message, /--global/);
    assert.match(message, /--tenant/);
  });

  it('exits 2 before any request is made', async () => {
    // Nothing listens at the URL: reaching the network would exit 1 with "cannot reach".
    const io = bufferIo({ ESTOP_URL: await closedUrl() });
    assert.equal(await main(['kill', '--mode', 'full_stop', '--reason', 'x'], io), 2);
    assert.match(io.err(), /^estop kill: .*--global/);
    assert.match(io.err(), /estop kill --help/);
  });

  it('accepts --global as the empty scope', () => {
    assert.deepEqual(parseKillArgs(['--global', '--mode', 'full_stop', '--reason', 'x']).request.scope, {});
  });

  it('refuses --global combined with a narrower scope', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['--global', '--tenant', 'acme', '--reason', 'x'])),
      /cannot be combined/,
    );
  });

  it('refuses an empty scope value', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant', '', '--reason', 'x'])),
      /--tenant is empty/,
    );
  });
});

describe('kill requires a reason, because it goes in the audit log', () => {
  it('says what to do when --reason is missing', () => {
    assert.equal(
      usageMessage(() => parseKillArgs(['--tenant', 'acme', '--mode', 'read_only'])),
      '--reason is required (why are you stopping? it goes in the audit log)',
    );
  });

  it('treats a blank reason as missing', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant', 'acme', '--reason', '   '])),
      /--reason is required/,
    );
  });

  it('exits 2 with the message on stderr', async () => {
    const io = bufferIo();
    assert.equal(await main(['kill', '--tenant', 'acme', '--mode', 'read_only'], io), 2);
    assert.match(io.err(), /^estop kill: --reason is required \(why are you stopping\? it goes in the audit log\)\n/);
  });
});

describe('kill turns its flags into exactly the rule request the API takes', () => {
  it('carries scope, mode, reason, expiry and cancellation', () => {
    const options = parseKillArgs([
      '--tenant',
      'acme',
      '--agent',
      'mailer',
      '--run',
      'run-1',
      '--tool',
      'email.*',
      '--mode',
      'full_stop',
      '--reason',
      ' duplicate emails ',
      '--expires',
      '30m',
      '--cancel-in-flight',
    ]);
    assert.deepEqual(options.request, {
      scope: { tenant: 'acme', agent: 'mailer', run: 'run-1', tool: 'email.*' },
      mode: 'full_stop',
      reason: 'duplicate emails',
      expiresIn: '30m',
      cancelInFlight: true,
    });
    assert.equal(options.waitMs, 2000);
    assert.equal(options.json, false);
  });

  it('resolves the disable_writes alias to read_only', () => {
    assert.equal(
      parseKillArgs(['--tenant', 'a', '--mode', 'disable_writes', '--reason', 'x']).request.mode,
      'read_only',
    );
  });

  it('leaves the mode to the control plane when --mode is omitted', () => {
    const { request } = parseKillArgs(['--tenant', 'a', '--reason', 'x']);
    assert.equal('mode' in request, false);
    assert.equal(request.cancelInFlight, false);
    assert.equal('expiresIn' in request, false);
  });

  it('reads --wait as a duration, 0 meaning do not wait', () => {
    assert.equal(parseKillArgs(['--tenant', 'a', '--reason', 'x', '--wait', '500ms']).waitMs, 500);
    assert.equal(parseKillArgs(['--tenant', 'a', '--reason', 'x', '--wait', '0']).waitMs, 0);
  });

  it('refuses an unknown mode, listing the modes', () => {
    const message = usageMessage(() => parseKillArgs(['--tenant', 'a', '--mode', 'off', '--reason', 'x']));
    assert.match(message, /"off" is not a mode/);
    assert.match(message, /approval_gated, draft_only, read_only, full_stop/);
  });

  it('refuses durations it cannot read and an expiry of zero', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant', 'a', '--reason', 'x', '--expires', 'soon'])),
      /--expires "soon" is not a duration/,
    );
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant', 'a', '--reason', 'x', '--wait', '2 weeks'])),
      /--wait/,
    );
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant', 'a', '--reason', 'x', '--expires', '0s'])),
      /longer than 0/,
    );
  });
});

describe('every duration flag needs a unit and is bounded', () => {
  const kill =
    (...flags: string[]) =>
    () =>
      parseKillArgs(['--tenant', 'a', '--reason', 'x', ...flags]);
  it('asks "30 what?" of a bare number, for --expires, --wait and --timeout alike', () => {
    assert.match(usageMessage(kill('--expires', '30')), /^--expires "30": 30 what\? write 30s, 30m or 30h$/);
    assert.match(usageMessage(kill('--wait', '5')), /^--wait "5": 5 what\? write 5s, 5m or 5h$/);
    assert.match(
      usageMessage(() => parseVerifyArgs(['--timeout', '5'])),
      /--timeout "5": 5 what\?/,
    );
    assert.match(
      usageMessage(() => parseDrillArgs(['--timeout', '10'])),
      /--timeout "10": 10 what\?/,
    );
    assert.match(
      usageMessage(() => parseRunKillArgs(['run-1', '--reason', 'x', '--wait', '3'])),
      /--wait "3": 3 what\?/,
    );
  });

  it('takes an expiry up to 366 days and a wait up to a day, and refuses longer', () => {
    assert.equal(parseKillArgs(['--tenant', 'a', '--reason', 'x', '--expires', '366d']).request.expiresIn, '366d');
    assert.match(usageMessage(kill('--expires', '367d')), /--expires "367d" is too long; at most 366d/);
    assert.match(usageMessage(kill('--expires', '9'.repeat(40) + 'd')), /is too long; at most 366d/);
    assert.equal(parseKillArgs(['--tenant', 'a', '--reason', 'x', '--wait', '1d']).waitMs, 86_400_000);
    assert.match(usageMessage(kill('--wait', '25h')), /--wait "25h" is too long; at most 1d/);
  });
});

describe('a drill stops a drill scope, never everything, and its rule expires by itself', () => {
  it('stops the drill tenant read_only when no scope is named', () => {
    const options = parseDrillArgs([]);
    assert.deepEqual(options.request, {
      scope: { tenant: DRILL_TENANT },
      mode: 'read_only',
      reason: 'drill',
      expiresIn: '60s',
      cancelInFlight: false,
    });
    assert.equal(options.timeoutMs, 5000);
  });

  it('takes a named scope, a mode, a reason, and outlives three timeouts before expiring', () => {
    const options = parseDrillArgs(['--tenant', 'acme-staging', '--tool', 'email.*', '--mode', 'full_stop']);
    assert.deepEqual(options.request.scope, { tenant: 'acme-staging', tool: 'email.*' });
    assert.equal(options.request.mode, 'full_stop');
    const slow = parseDrillArgs(['--timeout', '30s', '--reason', 'quarterly drill']);
    assert.equal(slow.request.expiresIn, '90s');
    assert.equal(slow.request.reason, 'quarterly drill');
  });

  it('refuses --global, an unknown mode and a zero timeout', () => {
    assert.match(
      usageMessage(() => parseDrillArgs(['--global'])),
      /never stops every agent/,
    );
    assert.match(
      usageMessage(() => parseDrillArgs(['--mode', 'halt'])),
      /not a mode/,
    );
    assert.match(
      usageMessage(() => parseDrillArgs(['--timeout', '0s'])),
      /longer than 0/,
    );
  });
});

describe('a wrong command line is a usage error (exit 2) that names the problem', () => {
  it('names an unknown flag', async () => {
    const io = bufferIo();
    assert.equal(await main(['status', '--verbose'], io), 2);
    assert.match(io.err(), /^estop status: unknown option --verbose\nrun `estop status --help` for usage\n$/);
  });

  it('names a flag missing its value', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant'])),
      /--tenant needs a value/,
    );
    assert.match(
      usageMessage(() => parseKillArgs(['--tenant', 'a', '--reason', '--global'])),
      /--reason needs a value/,
    );
  });

  it('names a value given to a boolean flag', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['--json=yes'])),
      /--json does not take a value/,
    );
  });

  it('names an unexpected argument', () => {
    assert.match(
      usageMessage(() => parseKillArgs(['acme'])),
      /unexpected argument "acme"/,
    );
  });

  it('passes other errors through untouched', () => {
    const boom = new Error('boom');
    assert.throws(
      () =>
        parseOrUsage(() => {
          throw boom;
        }),
      (error) => error === boom,
    );
  });

  it('checks restore, verify, audit and tokens arguments too', () => {
    assert.match(
      usageMessage(() => parseRestoreArgs(['--reason', 'x'])),
      /which rule\?/,
    );
    assert.match(
      usageMessage(() => parseRestoreArgs(['r_1'])),
      /--reason is required/,
    );
    assert.match(
      usageMessage(() => parseRestoreArgs(['r_1', 'r_2', '--reason', 'x'])),
      /one rule id/,
    );
    const lift = parseRestoreArgs(['r_1', '--reason', 'fixed']);
    assert.deepEqual(lift.action === 'lift' && [lift.ruleId, lift.reason, lift.to], ['r_1', 'fixed', undefined]);
    const staged = parseRestoreArgs(['r_1', '--to', 'disable_writes', '--reason', 'step down']);
    assert.deepEqual(staged.action === 'lift' && staged.to, 'read_only');
    assert.match(
      usageMessage(() => parseRestoreArgs(['r_1', '--to', 'off', '--reason', 'x'])),
      /--to "off" is not a mode/,
    );
    assert.equal(parseRestoreArgs([]).action, 'list');
    assert.equal(parseRestoreArgs(['--json']).action, 'list');
    const confirm = parseRestoreArgs(['confirm', 'rq_1', '--reason', 'checked']);
    assert.deepEqual(confirm.action === 'confirm' && [confirm.requestId, confirm.reason], ['rq_1', 'checked']);
    assert.match(
      usageMessage(() => parseRestoreArgs(['confirm', '--reason', 'x'])),
      /which request\?/,
    );
    assert.match(
      usageMessage(() => parseRestoreArgs(['confirm', 'rq_1'])),
      /--reason is required/,
    );
    assert.equal(parseVerifyArgs([]).timeoutMs, 5000);
    assert.equal(parseVerifyArgs(['--timeout', '1m']).timeoutMs, 60_000);
    assert.match(
      usageMessage(() => parseVerifyArgs(['--timeout', 'x'])),
      /--timeout "x" is not a duration/,
    );
    assert.deepEqual(parseAuditListArgs(['--after', '10', '--limit', '5']).after, 10);
    assert.match(
      usageMessage(() => parseAuditListArgs(['--limit', '0'])),
      /--limit "0" must be a whole number of at least 1/,
    );
    assert.match(
      usageMessage(() => parseAuditListArgs(['--after', '-1'])),
      /--after/,
    );
    assert.match(
      usageMessage(() => parseTokenCreateArgs(['--name', 'n'])),
      /--role is required/,
    );
    assert.match(
      usageMessage(() => parseTokenCreateArgs(['--role', 'root', '--name', 'n'])),
      /"root" is not a role/,
    );
    assert.match(
      usageMessage(() => parseTokenCreateArgs(['--role', 'viewer'])),
      /--name is required/,
    );
    assert.deepEqual(
      parseTokenCreateArgs(['--role', 'operator', '--tenant', 'acme', '--name', 'oncall']).tenant,
      'acme',
    );
    assert.match(
      usageMessage(() => parseTokenCreateArgs(['--role', 'viewer', '--name', 'n', '--for-me'])),
      /not both/,
    );
    assert.match(
      usageMessage(() => parseTokenCreateArgs(['--role', 'viewer', '--name', 'n', '--agent', 'a'])),
      /for agent tokens/,
    );
    assert.match(
      usageMessage(() => parseTokenCreateArgs(['--role', 'agent', '--name', 'n', '--agent', 'a', '--any-agent'])),
      /--agent or --any-agent/,
    );
    const forMe = parseTokenCreateArgs(['--role', 'operator', '--for-me']);
    assert.deepEqual([forMe.forMe, forMe.name], [true, undefined]);
  });

  it('rejects an unknown command and an unknown subcommand', async () => {
    const io = bufferIo();
    assert.equal(await main(['stop'], io), 2);
    assert.match(io.err(), /unknown command "stop"[\s\S]*estop --help/);
    assert.equal(await main(['audit', 'export-all'], bufferIo()), 2);
    assert.equal(await main(['tokens'], bufferIo()), 2);
  });
});

describe('every command answers --help with exit 0', () => {
  const commands = [
    ['kill'],
    ['restore'],
    ['status'],
    ['verify'],
    ['drill'],
    ['audit'],
    ['audit', 'list'],
    ['audit', 'verify'],
    ['tokens'],
    ['tokens', 'create'],
    ['tokens', 'list'],
    ['tokens', 'revoke'],
  ];
  for (const command of commands) {
    it(`estop ${command.join(' ')} --help`, async () => {
      for (const flag of ['--help', '-h']) {
        const io = bufferIo();
        assert.equal(await main([...command, flag], io), 0);
        assert.match(io.out(), new RegExp(`^usage: estop ${command.join(' ')}`));
        assert.equal(io.err(), '');
      }
    });
  }

  it('help wins over otherwise wrong arguments', async () => {
    assert.equal(await main(['kill', '--bogus', '--help'], bufferIo()), 0);
  });

  it('estop --help lists the commands and where the token comes from', async () => {
    const io = bufferIo();
    assert.equal(await main(['--help'], io), 0);
    for (const name of ['serve', 'gateway', 'kill', 'restore', 'status', 'verify', 'drill', 'audit', 'tokens']) {
      assert.match(io.out(), new RegExp(`^  ${name} `, 'm'));
    }
    assert.match(io.out(), /\.estop\/admin-token/);
  });

  it('estop with no command prints the help on stderr and exits 2', async () => {
    const io = bufferIo();
    assert.equal(await main([], io), 2);
    assert.match(io.err(), /commands:/);
  });

  it('client commands mention the admin-token file in their help', async () => {
    const io = bufferIo();
    await main(['status', '--help'], io);
    assert.match(io.out(), /ESTOP_TOKEN; otherwise \.\/\.estop\/admin-token/);
  });
});

describe('the connection comes from flags, then the environment, then defaults', () => {
  const values = (args: string[]) =>
    parseArgs({ args, options: { url: { type: 'string' }, token: { type: 'string' } }, strict: true }).values;

  it('prefers flags over the environment', () => {
    const io = bufferIo({ ESTOP_URL: 'http://env:1', ESTOP_TOKEN: 'estop_env' });
    assert.deepEqual(resolveConnection(values(['--url', 'http://flag:2/', '--token', 'estop_flag']), io), {
      url: 'http://flag:2',
      token: 'estop_flag',
      tokenSource: '--token',
    });
    assert.deepEqual(resolveConnection({}, io), {
      url: 'http://env:1',
      token: 'estop_env',
      tokenSource: 'ESTOP_TOKEN',
    });
  });

  it('defaults the URL and sends no token when there is none anywhere', () => {
    assert.deepEqual(resolveConnection({}, bufferIo()), { url: DEFAULT_URL, token: undefined });
  });

  it('falls back to ./.estop/admin-token when no token is given', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'estop-cli-'));
    await mkdir(join(directory, '.estop'));
    await writeFile(join(directory, '.estop', 'admin-token'), 'estop_from_file\n');
    assert.equal(resolveConnection({}, bufferIo({}, directory)).token, 'estop_from_file');
    assert.equal(resolveConnection({}, bufferIo({ ESTOP_TOKEN: 'estop_env' }, directory)).token, 'estop_env');
    assert.equal(resolveConnection({}, bufferIo({ ESTOP_TOKEN: '' }, directory)).token, 'estop_from_file');
  });

  it('refuses a URL that is not http(s) and an empty --token', () => {
    assert.match(
      usageMessage(() => resolveConnection({ url: 'localhost:7070' }, bufferIo())),
      /not an http\(s\) URL|not a URL/,
    );
    assert.match(
      usageMessage(() => resolveConnection({ url: 'nonsense' }, bufferIo())),
      /not a URL/,
    );
    assert.match(
      usageMessage(() => resolveConnection({ token: ' ' }, bufferIo())),
      /--token is empty/,
    );
  });
});
