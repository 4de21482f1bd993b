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

/** `2026-12-24 18:00:00 UTC`, as the page writes a date. */
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

describe(
  'a scheduled stop is listed as scheduled and counts as in force only from its start',
  { skip: missing },
  () => {
    let server: ControlPlaneProcess;
    let browser: Browser;

    before(async () => {
      await ensureBuilt();
      server = await startControlPlane();
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function schedule(tenant: string, startsAtMs: number): Promise<string> {
      const startsAt = new Date(startsAtMs).toISOString();
      const created = await server.call(server.adminToken, 'POST', '/v1/rules', {
        scope: { tenant },
        mode: 'full_stop',
        reason: `maintenance of ${tenant}`,
        startsAt,
        cancelInFlight: false,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.rule?.id ?? created.body.id;
    }

    it('shows the start on the rules page, and the home page counts it only once it has started', async () => {
      const later = Date.now() + 3 * 86_400_000 + 3_600_000;
      await schedule('globex', later);
      const soon = Date.now() + 20_000;
      await schedule('initech', soon);

      const page = await signIn(browser, server.url, server.adminToken);
      await page.getByTestId('headline').filter({ hasText: 'No stops in force' }).waitFor();
      await page.getByTestId('scheduled-count').filter({ hasText: '2 scheduled stops not yet in force' }).waitFor();
      assert.equal(await page.locator('td.count.mode-full_stop').count(), 0);

      await page.getByRole('link', { name: 'Rules', exact: true }).click();
      const globex = page.getByTestId('rules-table').locator('tr', { hasText: 'tenant=globex' });
      await globex.getByText(`scheduled — starts ${utc(later)} (in 3d)`).waitFor();

      // Once its start passes by the page's clock, the nearer one is in force, without a reload.
      const initech = page.getByTestId('rules-table').locator('tr', { hasText: 'tenant=initech' });
      await initech.getByTestId('scheduled').waitFor();
      await initech.getByTestId('scheduled').waitFor({ state: 'detached', timeout: 60_000 });
      await page.getByRole('link', { name: 'Home', exact: true }).click();
      await page.getByTestId('headline').filter({ hasText: '1 active rule: tenant=initech full stop' }).waitFor();
      await page.getByTestId('scheduled-count').filter({ hasText: '1 scheduled stop not yet in force' }).waitFor();
      await page.context().close();
    });
  },
);
