import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Guard } from '@estop/sdk';
import type { Browser, Page } from 'playwright-core';
import {
  browserSkip,
  eventually,
  screenshot,
  signIn,
  startScene,
  type ControlPlaneProcess,
  type Scene,
} from './harness.js';

const missing = browserSkip();

describe('an operator stops a tenant from the dashboard and an SDK guard denies', { skip: missing }, () => {
  let server: ControlPlaneProcess;
  let browser: Browser;
  let guard: Guard;
  let page: Page;
  const send = { tenant: 'acme', agent: 'mailer', tool: 'email.send' };

  let scene: Scene;
  before(async () => {
    scene = await startScene('worker-1', { 'email.send': 'write' });
    ({ server, browser, guard } = scene);
  });
  after(() => scene?.close());

  it('shows the sign-in form and becomes interactive', async (context) => {
    const fresh = await browser.newContext();
    const first = await fresh.newPage();
    await first.goto(server.url);
    await first.getByLabel('Token').waitFor();
    const interactiveMs = await first.evaluate(
      () => performance.getEntriesByName('estop-interactive')[0]?.startTime ?? Number.NaN,
    );
    assert.ok(Number.isFinite(interactiveMs), 'the page marks when the sign-in form is interactive');
    context.diagnostic(`time to interactive (navigation to sign-in form), localhost: ${Math.round(interactiveMs)} ms`);
    await first.getByLabel('Token').fill('estop_not_a_token');
    await first.getByRole('button', { name: 'Sign in' }).click();
    await first.getByRole('alert').filter({ hasText: 'unauthorized' }).waitFor();
    await fresh.close();
  });

  it('signs in as admin and shows the state: no stops, one enforcer current', async () => {
    page = await signIn(browser, server.url, server.adminToken);
    await page.getByTestId('headline').filter({ hasText: 'No stops in force' }).waitFor();
    await page.getByTestId('enforcers-connected').filter({ hasText: /^1$/ }).waitFor();
    await page.getByTestId('enforcers-applied').filter({ hasText: '1/1' }).waitFor();
    assert.equal(guard.decide(send).outcome, 'allow');
    // The switch works from the keyboard; its dialog traps focus, Escape closes it, focus returns.
    await page.getByTestId('big-red').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Stop agents' });
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('radio', { name: /Global/ }).isChecked(), true);
    for (let step = 0; step < 30; step++) {
      await page.keyboard.press('Tab');
      const inside = await page.evaluate("document.activeElement?.closest('dialog[open]') !== null");
      assert.equal(inside, true, `focus left the dialog after ${step + 1} tabs`);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement.dataset.testid'), 'big-red');

    // The page's own globals, evaluated in the browser: the token is in sessionStorage, no cookie.
    assert.equal(await page.evaluate("sessionStorage.getItem('estop.token')"), server.adminToken);
    assert.equal(await page.evaluate('document.cookie'), '');
  });

  let ruleId = '';
  it('stops tenant acme read_only: the dialog says what it pulls, then the convergence', async () => {
    await page.getByRole('button', { name: /Stop a tenant, agent, run or tool/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop agents' });
    await dialog.waitFor();
    await dialog.getByLabel('Tenant name').fill('acme');
    await dialog.getByRole('radio', { name: /read only/ }).check();
    await dialog.getByLabel(/^Reason/).fill('duplicate emails');
    await dialog.getByTestId('stop-preview').filter({ hasText: '1 connected enforcer applies it' }).waitFor();
    await dialog.getByTestId('stop-preview').filter({ hasText: '0 live runs match' }).waitFor();
    if (await screenshot(page, 'dashboard-stop.png')) process.stdout.write('wrote docs/dashboard-stop.png\n');

    // Refused without a reason by the form itself (required), then sent with one.
    await dialog.getByRole('button', { name: 'Stop tenant=acme' }).click();
    const converged = page.getByTestId('enforced').filter({ hasText: /Enforced on 1\/1 enforcers in \d+ ms/ });
    await converged.waitFor();
    assert.equal(await page.getByTestId('convergence').getAttribute('aria-live'), 'polite');
    ruleId = (await page.getByTestId('convergence').locator('code').first().textContent()) ?? '';
    assert.match(ruleId, /\S/);

    const decision = guard.decide(send);
    assert.equal(decision.outcome, 'deny');
    assert.equal(decision.ruleId, ruleId);
    assert.equal(decision.reason, 'duplicate emails');
    assert.equal(guard.decide({ ...send, tenant: 'globex' }).outcome, 'allow');
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('home shows the rule by scope and mode, and the audit records it with a verified chain', async () => {
    await page.getByTestId('headline').filter({ hasText: '1 active rule' }).waitFor();
    await page.getByTestId('enforcers-applied').filter({ hasText: '1/1' }).waitFor();
    if (await screenshot(page, 'dashboard-home.png')) process.stdout.write('wrote docs/dashboard-home.png\n');

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByTestId('audit-verified').filter({ hasText: 'Hash chain verified' }).waitFor();
    const table = page.getByTestId('audit-table');
    await table.getByText('rule-created').first().waitFor();
    await page.getByLabel('Action').selectOption('rule-created');
    await page.getByLabel('Scope').fill('tenant=acme');
    assert.equal(await table.locator('tbody tr').count(), 1);
    await page.getByLabel('Actor').fill('nobody-by-this-name');
    await page.getByText('0 of').waitFor();
    await page.getByLabel('Actor').fill('');
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Scope').fill('');
    await page.getByLabel('Scope').blur();
    if (await screenshot(page, 'dashboard-audit.png')) process.stdout.write('wrote docs/dashboard-audit.png\n');
  });

  it('restores the rule from the rules page, with a reason; the guard allows again', async () => {
    await page.getByRole('link', { name: 'Rules', exact: true }).click();
    const row = page.locator(`tr[data-rule="${ruleId}"]`);
    await row.getByText('duplicate emails').waitFor();
    await row.getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByRole('dialog');
    // The dialog offers the next step down first (read only → draft only); lifting is chosen.
    assert.equal(await dialog.getByLabel('Restore to').inputValue(), 'draft_only');
    await dialog.getByLabel('Restore to').selectOption({ label: 'normal (lift the rule)' });
    await dialog.getByLabel(/^Reason/).fill('dedupe fixed');
    await dialog.getByRole('button', { name: 'Lift the rule' }).click();
    await dialog.getByText(/Lifted \(version \d+\)/).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByText('No active rules.').waitFor();
    await eventually(() => guard.decide(send).outcome === 'allow', 'the guard allows after the restore');
  });

  it('marks a lost connection when the control plane stops, never as all clear', async () => {
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByTestId('headline').filter({ hasText: 'No stops in force' }).waitFor();
    await server.stop();
    await page.getByTestId('connection-lost').waitFor();
    await page.getByTestId('headline').filter({ hasText: 'State unknown' }).waitFor();
    assert.equal(await page.getByText('No stops in force').count(), 0);
  });
});
