import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { browserSkip, signIn, startScene, type Scene } from './harness.js';

const missing = browserSkip();

// The page's own, for code evaluated there (the tests' TypeScript has no DOM types).
declare const document: {
  createRange(): { selectNodeContents(node: unknown): void; getBoundingClientRect(): { right: number } };
};
declare function getComputedStyle(element: unknown): { fontVariantNumeric: string };

/** Where the text of `cell` ends on the screen, horizontally. */
function textRight(cell: Locator): Promise<number> {
  return cell.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return range.getBoundingClientRect().right;
  });
}

describe('times, dates, details and numbers read right on the page', { skip: missing }, () => {
  let scene: Scene;
  let page: Page;
  const longTool = `browser.${'navigate_and_keep_going_'.repeat(6)}*`;
  const longReason = `looping_${'without_a_single_space_'.repeat(6)}`;

  before(async () => {
    scene = await startScene('worker-1', { 'email.send': 'write' });
    const { server } = scene;
    const created = await server.call(server.adminToken, 'POST', '/v1/rules', {
      scope: { tenant: 'acme', tool: longTool },
      mode: 'read_only',
      reason: longReason,
    });
    assert.equal(created.status, 201);
    page = await signIn(scene.browser, server.url, server.adminToken);
  });
  after(() => scene?.close());

  it('the audit log writes dates as YYYY-MM-DD hh:mm:ss UTC and wraps long details within its frame', async () => {
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    const table = page.getByTestId('audit-table');
    await table.getByText('rule-created').first().waitFor();
    for (const when of await table.locator('tbody tr td:nth-child(2)').allTextContents()) {
      assert.match(when, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    }
    const fits = await table.evaluate((element) => ({
      table: element.scrollWidth,
      frame: element.parentElement?.clientWidth ?? 0,
    }));
    assert.ok(fits.table <= fits.frame, `the table (${fits.table}px) fits its frame (${fits.frame}px)`);
    const row = table.locator('tr', { hasText: longReason }).first();
    const frameRight = await table.evaluate((element) => element.parentElement?.getBoundingClientRect().right ?? 0);
    for (const cell of await row.locator('td').all()) {
      assert.ok((await textRight(cell)) <= frameRight, 'every cell ends inside the frame');
    }
  });

  it("the home page's numbers line up under their headings", async () => {
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    const matrix = page.locator('table.matrix');
    await matrix.locator('tbody tr', { hasText: 'tool' }).locator('td.mode-read_only').waitFor();
    const headings = matrix.locator('thead th');
    const columns = await headings.count();
    assert.equal(columns, 5);
    for (let column = 1; column < columns; column++) {
      const heading = headings.nth(column);
      const right = await textRight(heading);
      for (const row of await matrix.locator('tbody tr').all()) {
        const cell = row.locator('td').nth(column - 1);
        assert.ok(
          Math.abs((await textRight(cell)) - right) < 1,
          `column ${column}: the number ends where its heading ends`,
        );
        assert.equal(await cell.evaluate((element) => getComputedStyle(element).fontVariantNumeric), 'tabular-nums');
      }
    }
  });

  it('what has happened is never shown in the future, even with the browser a minute behind the server', async () => {
    await page.clock.setFixedTime(Date.now() - 60_000);
    const stopped = await scene.server.call(scene.server.adminToken, 'POST', '/v1/rules', {
      scope: {},
      mode: 'full_stop',
      reason: 'clock check',
    });
    assert.equal(stopped.status, 201);
    await page.getByTestId('held-by').filter({ hasText: 'made just now by' }).waitFor();

    await page.getByRole('link', { name: 'Enforcers', exact: true }).click();
    const row = page.getByTestId('enforcers-table').locator('tr', { hasText: 'worker-1' });
    await row.waitFor();
    const seen = row.locator('td').nth(3);
    assert.equal(await seen.textContent(), 'just now');
    assert.match((await seen.getAttribute('title')) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });
});
