import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGuard, type Guard } from '@estop/sdk';
import type { Locator, Page } from 'playwright-core';
import { browserSkip, signIn, startScene, type Scene } from './harness.js';

const missing = browserSkip();

/** The stop dialog's submit button: the one that is neither Cancel nor the close cross. */
function submitButton(dialog: Locator): Locator {
  return dialog.locator('button[type="submit"]');
}

describe('the stop dialog names no stop until its scope is named, and keeps its figure', { skip: missing }, () => {
  let scene: Scene;
  let second: Guard;
  let page: Page;

  before(async () => {
    scene = await startScene('worker-1', { 'email.send': 'write' });
    second = createGuard({
      url: scene.server.url,
      token: await scene.server.token('workers-2', 'enforcer'),
      name: 'worker-2',
      onError: () => {},
    });
    await second.ready();
    page = await signIn(scene.browser, scene.server.url, scene.server.adminToken);
    await page.getByTestId('enforcers-connected').filter({ hasText: /^2$/ }).waitFor();
  });
  after(async () => {
    await second?.close();
    await scene?.close();
  });

  it('an empty name is asked for: the preview and the button never name a global stop', async () => {
    await page.getByRole('button', { name: /Stop a tenant, agent, run or tool/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop agents' });
    const preview = dialog.getByTestId('stop-preview');
    const submit = submitButton(dialog);
    assert.equal(await dialog.getByRole('radio', { name: 'Tenant' }).isChecked(), true);
    await preview.getByText("Enter the tenant's name").waitFor();

    const asked = [
      ['Tenant', "Enter the tenant's name"],
      ['Agent', "Enter the agent's name"],
      ['Run', 'Enter the run id'],
      ['Tool', "Enter the tool's name or glob"],
    ] as const;
    for (const [level, ask] of asked) {
      await dialog.getByRole('radio', { name: level, exact: true }).check();
      await preview.getByText(ask).waitFor();
      assert.doesNotMatch((await preview.textContent()) ?? '', /global|will be stopped/);
      assert.equal(await submit.textContent(), `Stop ${level.toLowerCase()}`);
      assert.equal(await submit.isDisabled(), true, `the ${level} stop cannot be sent without a name`);
    }

    // A tenant alone does not name an agent: the agent's name is still asked for.
    await dialog.getByLabel(/^Tenant name/).fill('acme');
    await dialog.getByRole('radio', { name: 'Agent', exact: true }).check();
    await preview.getByText("Enter the agent's name").waitFor();
    await dialog.getByLabel('Agent name').fill('mailer');
    await preview.getByText('tenant=acme agent=mailer → full stop').waitFor();
    assert.equal(await submit.textContent(), 'Stop tenant=acme agent=mailer');
    assert.equal(await submit.isEnabled(), true);

    // Only the global level reads "Stop global".
    await dialog.getByRole('radio', { name: /Global/ }).check();
    await preview.getByText('global → full stop').waitFor();
    assert.equal(await submit.textContent(), 'Stop global');
    await dialog.getByRole('radio', { name: 'Tenant', exact: true }).check();
    assert.equal(await submit.textContent(), 'Stop tenant=acme');
  });

  it('once converged, the figure stays as measured: an enforcer leaving later does not rewrite it', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /Stop a tenant, agent, run or tool/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop agents' });
    await dialog.getByLabel('Tenant name').fill('acme');
    await dialog.getByRole('radio', { name: /read only/ }).check();
    await dialog.getByLabel(/^Reason/).fill('duplicate emails');
    await submitButton(dialog).click();
    const enforced = page.getByTestId('enforced');
    await enforced.filter({ hasText: /Enforced on 2\/2 enforcers in \d+ ms\./ }).waitFor();
    const figure = await enforced.textContent();

    await second.close();
    // The dialog hears that the enforcers changed, asks again, and says how many are connected now.
    await page.getByTestId('connected-now').filter({ hasText: '(1 connected now)' }).waitFor();
    assert.equal(await enforced.textContent(), `${figure} (1 connected now)`);
    assert.match(figure ?? '', /^Enforced on 2\/2 enforcers in \d+ ms\.$/);
  });
});
