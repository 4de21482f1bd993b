import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  browserSkip,
  ensureBuilt,
  launchBrowser,
  signIn,
  startControlPlane,
  type ControlPlaneProcess,
} from './harness.js';

const missing = browserSkip();

describe('what a signed-in user sees and can press follows the role and tenant binding', { skip: missing }, () => {
  let server: ControlPlaneProcess;
  let browser: Browser;
  let globexRule = '';
  let acmeRule = '';

  before(async () => {
    await ensureBuilt();
    server = await startControlPlane();
    browser = await launchBrowser();
    const globex = await server.call(server.adminToken, 'POST', '/v1/rules', {
      scope: { tenant: 'globex' },
      mode: 'read_only',
      reason: 'globex incident',
    });
    const acme = await server.call(server.adminToken, 'POST', '/v1/rules', {
      scope: { tenant: 'acme' },
      mode: 'draft_only',
      reason: 'acme incident',
    });
    assert.equal(globex.status, 201);
    assert.equal(acme.status, 201);
    globexRule = globex.body.rule.id;
    acmeRule = acme.body.rule.id;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a viewer has no stop button and no restore, and the API refuses its stop', async () => {
    const viewer = await server.token('watcher', 'viewer');
    const page = await signIn(browser, server.url, viewer);
    await page.getByTestId('no-stop').waitFor();
    assert.equal(await page.getByTestId('big-red').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Stop/ }).count(), 0);
    await page.getByRole('link', { name: 'Rules', exact: true }).click();
    await page.getByText('globex incident').waitFor();
    assert.equal(await page.getByRole('button', { name: /Restore/ }).count(), 0);
    assert.equal(await page.getByText('Restore requests awaiting').count(), 0);

    const refused = await server.call(viewer, 'POST', '/v1/rules', { scope: {}, mode: 'full_stop', reason: 'try' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'forbidden');
    await page.context().close();
  });

  it("a tenant-bound operator sees only its tenant's rules and audit, and stops only within it", async () => {
    const operator = await server.token('acme-oncall', 'operator', 'acme');
    const page = await signIn(browser, server.url, operator);
    await page.getByTestId('whoami').filter({ hasText: 'tenant acme' }).waitFor();
    await page.getByTestId('big-red').filter({ hasText: 'every agent of acme' }).waitFor();

    await page.getByRole('link', { name: 'Rules', exact: true }).click();
    await page.locator(`tr[data-rule="${acmeRule}"]`).waitFor();
    assert.equal(await page.locator(`tr[data-rule="${globexRule}"]`).count(), 0);
    assert.equal(await page.getByText('globex incident').count(), 0);
    // An operator stops but does not restore.
    assert.equal(await page.getByRole('button', { name: /Restore/ }).count(), 0);

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByTestId('audit-table').getByText('acme incident').waitFor();
    assert.equal(await page.getByText('globex').count(), 0);

    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByTestId('big-red').click();
    const dialog = page.getByRole('dialog', { name: 'Stop agents' });
    assert.equal(await dialog.getByRole('radio', { name: /Global/ }).isDisabled(), true);
    assert.equal(await dialog.getByLabel('Tenant name').inputValue(), 'acme');
    assert.equal(await dialog.getByLabel('Tenant name').getAttribute('readonly'), '');
    await dialog.getByLabel(/^Reason/).fill('acme loops');
    await dialog.getByRole('button', { name: 'Stop tenant=acme' }).click();
    await page.getByTestId('enforced').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('headline').filter({ hasText: 'tenant=acme full stop' }).waitFor();
    // While its own scope is under a full stop the switch shows itself pressed and leads to the rules.
    await page.getByTestId('big-red').filter({ hasText: 'STOPPED' }).waitFor();
    await page.getByTestId('held-by').filter({ hasText: 'acme loops' }).waitFor();
    await page.getByTestId('big-red').click();
    await page.waitForURL(/#\/rules$/);
    await page.getByRole('heading', { name: 'Active rules' }).waitFor();

    const refused = await server.call(operator, 'POST', '/v1/rules', { scope: {}, mode: 'full_stop', reason: 'all' });
    assert.equal(refused.status, 403);
    await page.context().close();
  });

  it('a governed restore waits for a second admin, who confirms it on the rules page', async () => {
    const alice = await server.token('alice', 'admin');
    const bob = await server.token('bob', 'admin');
    const created = await server.call(alice, 'POST', '/v1/rules', {
      scope: { tenant: 'initech' },
      mode: 'full_stop',
      reason: 'initech runaway',
    });
    const ruleId = created.body.rule.id as string;

    const first = await signIn(browser, server.url, alice);
    await first.getByRole('link', { name: 'Rules', exact: true }).click();
    await first.locator(`tr[data-rule="${ruleId}"]`).getByRole('button', { name: 'Restore…' }).click();
    const dialog = first.getByRole('dialog');
    // The next step down the ladder is the default, as the dialog's advice says: full stop → read only.
    assert.equal(await dialog.getByLabel('Restore to').inputValue(), 'read_only');
    await dialog.getByLabel(/^Reason/).fill('reads are safe');
    await dialog.getByRole('button', { name: 'Step down to read only' }).click();
    const outcome = dialog.getByRole('status').filter({ hasText: /Restore requested/ });
    await outcome.waitFor();
    assert.equal(((await outcome.textContent()) ?? '').split('stays in force').length - 1, 1, 'said once');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await first.getByText('yours: another admin must confirm').waitFor();
    assert.equal(await first.locator(`tr[data-rule="${ruleId}"]`).count(), 1, 'the rule stays in force');

    const second = await signIn(browser, server.url, bob);
    await second.getByRole('link', { name: 'Rules', exact: true }).click();
    await second.getByRole('button', { name: 'Confirm…' }).click();
    const confirm = second.getByRole('dialog');
    await confirm.getByLabel(/^Reason/).fill('checked');
    await confirm.getByRole('button', { name: 'Confirm restore' }).click();
    await confirm.getByText(/Confirmed: stepped down to read only/).waitFor();
    await confirm.getByRole('button', { name: 'Done' }).click();

    // Both pages follow the stream: the full stop is gone, a read_only rule on initech replaced it.
    for (const page of [first, second]) {
      await page.locator(`tr[data-rule="${ruleId}"]`).waitFor({ state: 'detached' });
      await page.locator('tr', { hasText: 'tenant=initech' }).getByText('read only').waitFor();
      await page.getByText('None pending.').waitFor();
    }
    await first.context().close();
    await second.context().close();
  });
});
