import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGuard, type Guard } from '@estop/sdk';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, signIn, startScene, type ControlPlaneProcess, type Scene } from './harness.js';

const missing = browserSkip();

describe('runs and approvals: a per-run stop converges, a gated write waits for the page', { skip: missing }, () => {
  let server: ControlPlaneProcess;
  let browser: Browser;
  let guard: Guard;
  let page: Page;

  let scene: Scene;
  before(async () => {
    scene = await startScene('worker-runs', { 'email.send': 'write', 'search.read': 'read' });
    ({ server, browser, guard } = scene);
    page = await signIn(browser, server.url, await server.token('oncall', 'operator'));
  });
  after(() => scene?.close());

  it('lists a live run with its call in flight; stopping it shows stopped, drained and terminated', async () => {
    const run = guard.startRun({ tenant: 'acme', agent: 'researcher', id: 'run_research_1', heartbeatMs: 200 });
    let cancelled = false;
    const call = run
      .tool('search.read', { q: 'estop' }, (_args, { signal }) => {
        return new Promise<string>((resolve) =>
          signal.addEventListener('abort', () => {
            cancelled = true;
            resolve('cancelled');
          }),
        );
      })
      .catch((error: unknown) => error);

    await page.getByRole('link', { name: 'Runs & approvals', exact: true }).click();
    const row = page.getByTestId('runs-table').locator('tr', { hasText: 'run_research_1' });
    await row.getByText('search.read').waitFor();
    await row.getByRole('button', { name: 'Stop run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop run run_research_1' });
    await dialog.getByLabel(/^Reason/).fill('looping on search');
    await dialog.getByRole('button', { name: 'Stop this run' }).click();
    await dialog.getByTestId('enforced').filter({ hasText: 'Enforced on 1/1 enforcers' }).waitFor();
    await dialog
      .getByTestId('runs-converged')
      .filter({ hasText: 'Runs: 1/1 stopped · drained · 1/1 terminated.' })
      .waitFor();
    await call;
    assert.equal(cancelled, true, 'the call in flight was cancelled');
    assert.equal(run.status, 'stopped');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByText('No live runs.').waitFor();
  });

  it('shows a pending approval with the exact call; approving it lets the write run once', async () => {
    const rule = await server.call(server.adminToken, 'POST', '/v1/rules', {
      scope: { tenant: 'acme', agent: 'mailer' },
      mode: 'approval_gated',
      reason: 'emails need a human',
    });
    assert.equal(rule.status, 201);
    await page.getByTestId('approvals').getByText('No call is waiting for approval.').waitFor();

    const run = guard.startRun({ tenant: 'acme', agent: 'mailer', id: 'run_mail_1' });
    let sent = 0;
    const result = run.tool('email.send', { to: 'ceo@acme.test', subject: 'Q3' }, () => {
      sent += 1;
      return 'sent';
    });

    const card = page.getByTestId('approvals').locator('li', { hasText: 'email.send' });
    await card.getByText('"to": "ceo@acme.test"').waitFor();
    await card.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve email.send' });
    await dialog.getByLabel(/^Reason/).fill('expected report');
    await dialog.getByRole('button', { name: 'Approve this call' }).click();
    await dialog.getByText('The call is approved.').waitFor();
    assert.equal(await result, 'sent');
    assert.equal(sent, 1);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('approvals').getByText('No call is waiting for approval.').waitFor();
    await run.end();
  });

  it('an enforcer that connects or leaves changes the home page without a reload', async () => {
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByTestId('enforcers-connected').filter({ hasText: /^1$/ }).waitFor();
    const second = createGuard({
      url: server.url,
      token: await server.token('workers-2', 'enforcer'),
      name: 'worker-2',
      onError: () => {},
    });
    await second.ready();
    await page.getByTestId('enforcers-connected').filter({ hasText: /^2$/ }).waitFor();
    await second.close();
    await page.getByTestId('enforcers-connected').filter({ hasText: /^1$/ }).waitFor();
    // A closed guard deregisters: the list has it no more (one that vanished without a word is marked stale).
    await page.getByRole('link', { name: 'Enforcers', exact: true }).click();
    const table = page.getByTestId('enforcers-table');
    await table.locator('tr', { hasText: 'worker-runs' }).getByText('current').waitFor();
    assert.equal(await table.locator('tr', { hasText: 'worker-2' }).count(), 0);
  });
});
