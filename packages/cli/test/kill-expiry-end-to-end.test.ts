import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess, type ServerProcess } from './processes.js';

describe('estop kill never makes a stop that silently ends', () => {
  let server: ServerProcess;
  let admin: Record<string, string>;
  before(async () => {
    server = await startServerProcess();
    admin = { ESTOP_URL: server.url, ESTOP_TOKEN: server.adminToken };
  });
  after(() => server?.stop());

  it('--expires 30 is a usage error asking "30 what?", and nothing is stopped', async () => {
    const kill = await runCli(['kill', '--tenant', 'acme', '--reason', 'x', '--expires', '30'], admin);
    assert.equal(kill.code, 2);
    assert.match(kill.stderr, /--expires "30": 30 what\? write 30s, 30m or 30h/);
    assert.equal(kill.stdout, '');
    const status = await runCli(['status', '--json'], admin);
    assert.deepEqual(JSON.parse(status.stdout).rules, []);
  });

  it('--expires 30m stops, and says when the rule expires', async () => {
    const kill = await runCli(['kill', '--tenant', 'acme', '--reason', 'x', '--expires', '30m', '--wait', '0'], admin);
    assert.equal(kill.code, 0, kill.stderr);
    const [stopped, expires] = kill.stdout.split('\n');
    assert.match(stopped ?? '', /^stopped tenant=acme: read_only \(rule \S+, version \d+\)$/);
    const match = /^expires (\S+) \(in 30m\)$/.exec(expires ?? '');
    assert.ok(match !== null, kill.stdout);
    const inMinutes = (Date.parse(match[1] as string) - Date.now()) / 60_000;
    assert.ok(inMinutes > 29 && inMinutes <= 30, `expires in ${inMinutes} minutes`);
  });
});
