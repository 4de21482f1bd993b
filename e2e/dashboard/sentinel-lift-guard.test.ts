import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  browserSkip,
  ensureBuilt,
  launchBrowser,
  signIn,
  startControlPlane,
  type ControlPlaneProcess,
} from './harness.js';

const missing = browserSkip();

const CONFIG = `sentinel:
  - name: email-flood
    signal: writes
    tool: "email.*"
    threshold: 3
    window: 1m
  - name: sms-watch
    signal: writes
    tool: "sms.*"
    threshold: 5
    window: 1m
    enforce: false
`;

describe(
  'the sentinel list shows shadow sentinels and peaks, and the restore dialog tells of a trip whose cause continues',
  { skip: missing },
  () => {
    let server: ControlPlaneProcess;
    let browser: Browser;
    let enforcer: string;
    let page: Page;
    let written = 0;

    /** Claims `count` fresh writes of `tool` for acme, as a guard does before running them. */
    async function write(tool: string, count: number): Promise<void> {
      for (let index = 0; index < count; index++) {
        const claim = await server.call(enforcer, 'POST', '/v1/idempotency/claim', {
          tenant: 'acme',
          tool,
          key: `write-${(written += 1)}`,
          windowMs: 60_000,
        });
        if (claim.body.status !== 'claimed') throw new Error(JSON.stringify(claim.body));
      }
    }

    before(async () => {
      await ensureBuilt();
      server = await startControlPlane(CONFIG);
      browser = await launchBrowser();
      enforcer = await server.token('workers', 'enforcer');
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('marks a sentinel in shadow, and shows its peak against its threshold and its would-trips', async () => {
      await write('sms.send', 4);
      page = await signIn(browser, server.url, server.adminToken);
      await page.getByRole('link', { name: 'Rules', exact: true }).click();
      const shadow = page.getByTestId('sentinels-table').locator('tr[data-sentinel="sms-watch"]');
      await shadow.getByText('shadow — stops nothing').waitFor();
      await shadow.getByText('peak 4 / 5 in 1m').waitFor();
      await shadow.getByText('0 would-trips').waitFor();
      const enforcing = page.getByTestId('sentinels-table').locator('tr[data-sentinel="email-flood"]');
      await enforcing.getByText('enforcing', { exact: true }).waitFor();
      await enforcing.getByText('peak 0 / 3 in 1m').waitFor();
      assert.equal(await enforcing.getByText('shadow — stops nothing').count(), 0);

      // Its would-trip is audited, and the list follows without a reload; nothing is stopped.
      await write('sms.send', 1);
      await shadow.getByText('1 would-trip').waitFor();
      await shadow.getByText('peak 5 / 5 in 1m').waitFor();
      await page.getByText('No active rules.').waitFor();
    });

    it('says before the lift that the cause continues, shows the refusal with its count, and lifts by force', async () => {
      await write('email.send', 3);
      const standing = page.getByTestId('standing-trips');
      await standing.getByText('continues (3 in 1m, threshold 3): lifting needs force').waitFor();
      await page
        .getByTestId('sentinels-table')
        .locator('tr[data-sentinel="email-flood"]')
        .getByText('1 trip')
        .waitFor();

      const row = page.getByTestId('rules-table').locator('tr', { hasText: 'sentinel:email-flood' });
      await row.getByRole('button', { name: 'Restore…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog
        .getByTestId('lift-guard')
        .filter({
          hasText:
            "sentinel email-flood's window still holds its threshold (3 in 1m, threshold 3): lifting needs force and a reason",
        })
        .waitFor();
      await dialog.getByLabel('Restore to').selectOption('');
      await dialog.getByLabel(/^Reason/).fill('looks fine');
      await dialog.getByRole('button', { name: 'Lift the rule' }).click();
      const refusal = dialog.getByRole('alert');
      await refusal.filter({ hasText: 'Refused (cause_continues)' }).waitFor();
      assert.match(
        await refusal.innerText(),
        /sentinel email-flood's window still holds its threshold \(3 in 1m, threshold 3\)/,
      );
      assert.equal((await server.call(server.adminToken, 'GET', '/v1/rules')).body.rules.length, 1);

      await dialog.getByLabel(/Force the lift/).check();
      await dialog.getByLabel(/^Reason/).fill('the loop is fixed, mail queue drained');
      await dialog.getByRole('button', { name: 'Lift the rule' }).click();
      await dialog.getByRole('status').filter({ hasText: 'Lifted by force' }).waitFor();
      const audit = await server.call(server.adminToken, 'GET', '/v1/audit?limit=20');
      const lifted = audit.body.entries.find((entry: { action: string }) => entry.action === 'rule-lifted');
      assert.equal(lifted?.data?.force, true);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await page.getByText('No active rules.').waitFor();
      await page.context().close();
    });
  },
);
