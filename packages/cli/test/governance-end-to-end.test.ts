import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess, type ServerProcess } from './processes.js';

/**
 * `estop approvals` and `estop drafts` against a real `estop serve` process (SQLite), with the
 * enforcer's side played over HTTP as a guard or gateway would.
 */
describe('operators decide approvals and read drafts with the CLI', () => {
  let server: ServerProcess;
  let admin: Record<string, string>;
  let enforcerToken = '';

  async function asEnforcer(path: string, body: unknown): Promise<any> {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${enforcerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${path} answered ${response.status}`);
    return response.json();
  }

  before(async () => {
    server = await startServerProcess();
    admin = { ESTOP_URL: server.url, ESTOP_TOKEN: server.adminToken };
    const created = await runCli(['tokens', 'create', '--role', 'enforcer', '--name', 'gov-worker', '--json'], admin);
    assert.equal(created.code, 0, created.stderr);
    enforcerToken = JSON.parse(created.stdout).token as string;
  });
  after(() => server?.stop());

  it('lists a pending approval with its call, approves it, and refuses a second decision', async () => {
    const call = { tenant: 'acme', agent: 'mailer', tool: 'email.send', args: { to: 'ceo@example.com' } };
    const approval = await asEnforcer('/v1/approvals', call);
    const table = await runCli(['approvals'], admin);
    assert.equal(table.code, 0, table.stderr);
    const [header, row] = table.stdout.trimEnd().split('\n');
    assert.match(header as string, /^ID\s+TENANT\s+AGENT\s+RUN\s+TOOL\s+STATUS\s+REQUESTED BY\s+AGE\s+EXPIRES\s+ARGS$/);
    assert.match(
      row as string,
      new RegExp(
        `^${approval.id}\\s+acme\\s+mailer\\s+-\\s+email\\.send\\s+pending\\s+gov-worker\\s.*\\{"to":"ceo@example.com"\\}$`,
      ),
    );

    const noReason = await runCli(['approvals', 'approve', approval.id], admin);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason is required/);

    const approved = await runCli(['approvals', 'approve', approval.id, '--reason', 'the CEO asked'], admin);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, new RegExp(`approved ${approval.id} \\(email\\.send for acme/mailer\\)`));
    const again = await runCli(['approvals', 'deny', approval.id, '--reason', 'too late'], admin);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no longer pending: it is approved/);
    assert.match(again.stderr, /estop approvals --all/);

    assert.equal((await runCli(['approvals'], admin)).stdout.trim(), 'no approvals pending');
    const all = JSON.parse((await runCli(['approvals', '--all', '--json'], admin)).stdout);
    const listed = all.approvals.find((entry: any) => entry.id === approval.id);
    assert.equal(listed.status, 'approved');
    assert.equal(listed.decision.reason, 'the CEO asked');
  });

  it('denies an approval, and says which id is unknown', async () => {
    const approval = await asEnforcer('/v1/approvals', { tenant: 'acme', tool: 'crm.delete', args: { id: 7 } });
    const denied = await runCli(['approvals', 'deny', approval.id, '--reason', 'never delete'], admin);
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /denied .*the waiting call is refused/);
    const unknown = await runCli(['approvals', 'approve', 'ap_missing', '--reason', 'x'], admin);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no approval ap_missing/);
  });

  it('lists drafts newest first, filters by tenant, and exports every one as JSON lines', async () => {
    // A draft names the rule that drafted it, which must be one that covers its tenant.
    const rule = await fetch(`${server.url}/v1/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: { tenant: 'drafty' }, mode: 'draft_only', reason: 'drafts' }),
    });
    assert.equal(rule.status, 201);
    const ruleId = ((await rule.json()) as { rule: { id: string } }).rule.id;
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const draft = await asEnforcer('/v1/drafts', {
        tenant: 'drafty',
        tool: 'email.send',
        args: { n },
        ruleId,
      });
      ids.push(draft.id as string);
    }
    await asEnforcer('/v1/drafts', { tenant: 'other', tool: 'sms.send', args: {} });
    const table = await runCli(['drafts', '--tenant', 'drafty'], admin);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0] as string, /^ID\s+AT\s+TENANT\s+AGENT\s+RUN\s+TOOL\s+RULE\s+ARGS$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/\s+/)[0]),
      [...ids].reverse(),
    );
    const limited = JSON.parse(
      (await runCli(['drafts', '--tenant', 'drafty', '--limit', '1', '--json'], admin)).stdout,
    );
    assert.deepEqual(
      limited.drafts.map((draft: any) => draft.id),
      [ids[2]],
    );
    const exported = await runCli(['drafts', 'export'], admin);
    assert.equal(exported.code, 0, exported.stderr);
    const drafts = exported.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(drafts.length, 4);
    assert.deepEqual(
      drafts.filter((draft) => draft.tenant === 'drafty').map((draft) => draft.id),
      [...ids].reverse(),
    );
    const badLimit = await runCli(['drafts', '--limit', '5000'], admin);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /drafts export/);
  });
});
