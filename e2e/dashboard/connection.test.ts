import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, signIn, startScene, type Scene } from './harness.js';

const missing = browserSkip();

/** The page's own, for code evaluated there (the tests' TypeScript has no DOM types). */
declare function getComputedStyle(element: unknown): { opacity: string };

describe('the switch cannot be pressed while the page is not connected', { skip: missing }, () => {
  let scene: Scene;
  let page: Page;

  before(async () => {
    scene = await startScene('worker-1', { 'email.send': 'write' });
    page = await signIn(scene.browser, scene.server.url, scene.server.adminToken);
  });
  after(async () => {
    scene?.server.child.kill('SIGCONT');
    await scene?.close();
  });

  it('is dimmed and disabled, saying why, while the connection is lost; comes back with it', async () => {
    const button = page.getByTestId('big-red');
    await page.getByTestId('headline').filter({ hasText: 'No stops in force' }).waitFor();
    assert.equal(await button.isEnabled(), true);

    // The control plane falls silent (paused, not gone): past its staleness bound the page is lost.
    scene.server.child.kill('SIGSTOP');
    await page.getByTestId('connection-lost').waitFor({ timeout: 60_000 });
    assert.equal(await button.isDisabled(), true);
    assert.match((await button.getAttribute('title')) ?? '', /Not connected to the control plane/);
    const note = page.locator(`#${await button.getAttribute('aria-describedby')}`);
    assert.match((await note.textContent()) ?? '', /once the connection is back/);
    assert.ok(
      Number(await button.evaluate((element) => getComputedStyle(element).opacity)) < 1,
      'the switch is dimmed',
    );

    scene.server.child.kill('SIGCONT');
    await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByTestId('headline').filter({ hasText: 'No stops in force' }).waitFor();
    assert.equal(await button.isEnabled(), true);
    assert.equal(await button.getAttribute('title'), null);
    assert.equal(await page.getByTestId('switch-offline').count(), 0);
    await button.click();
    await page.getByRole('dialog', { name: 'Stop agents' }).waitFor();
  });
});
