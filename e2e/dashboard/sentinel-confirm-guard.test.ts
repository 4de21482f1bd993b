import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  browserSkip,
  ensureBuilt,
  eventually,
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
    window: 15s
    mode: full_stop
`;

describe(
  "confirming a restore request for a sentinel's trip whose cause has come back says so and needs force",
  { skip: missing },
  () => {
    let server: ControlPlaneProcess;
    let browser: Browser;
    let enforcer: string;
    let written = 0;

    async function write(count: number): Promise<void> {
      for (let index = 0; index < count; index++) {
        const claim = await server.call(enforcer, 'POST', '/v1/idempotency/claim', {
          tenant: 'acme',
          tool: 'email.send',
          key: `mail-${(written += 1)}`,
          windowMs: 60_000,
        });
        if (claim.body.status !== 'claimed') throw new Error(JSON.stringify(claim.body));
      }
    }

    /** The standing trip's cause as GET /v1/sentinels shows it. */
    async function cause(): Promise<{ hot: boolean; count: number } | undefined> {
      const listed = await server.call(server.adminToken, 'GET', '/v1/sentinels');
      return listed.body.sentinels[0]?.trips?.[0]?.cause;
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

    it('a second admin sees the cause continues, is refused with its count, then confirms by force', async () => {
      await write(3);
      const rules = await eventually(async () => {
        const listed = await server.call(server.adminToken, 'GET', '/v1/rules');
        return listed.body.rules.length === 1 ? listed.body.rules : undefined;
      }, 'the trip');
      // Asked (without force) once the window has fallen below the threshold.
      await eventually(async () => (await cause())?.hot === false, 'the cause over', 40_000);
      const asked = await server.call(server.adminToken, 'POST', `/v1/rules/${rules[0].id}/lift`, {
        reason: 'the flood is over',
      });
      assert.equal(asked.status, 202, JSON.stringify(asked.body));
      // Then the flood comes back before a second admin confirms.
      await write(3);
      assert.equal((await cause())?.hot, true);

      const page = await signIn(browser, server.url, await server.token('second', 'admin'));
      await page.getByRole('link', { name: 'Rules', exact: true }).click();
      await page.getByRole('button', { name: 'Confirm…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog
        .getByTestId('lift-guard')
        .filter({
          hasText:
            "sentinel email-flood's window still holds its threshold (3 in 15s, threshold 3): lifting needs force and a reason",
        })
        .waitFor();
      await dialog.getByLabel(/^Reason/).fill('confirming');
      await dialog.getByRole('button', { name: 'Confirm restore' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Refused (cause_continues)' }).waitFor();
      assert.match(await dialog.getByRole('alert').innerText(), /\(3 in 15s, threshold 3\)/);

      await dialog.getByLabel(/Force the lift/).check();
      await dialog.getByRole('button', { name: 'Confirm restore' }).click();
      await dialog.getByRole('status').filter({ hasText: 'Confirmed: lifted' }).waitFor();
      assert.equal((await server.call(server.adminToken, 'GET', '/v1/rules')).body.rules.length, 0);
      await page.context().close();
    });
  },
);
