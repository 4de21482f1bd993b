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

const CONFIG = `sentinel:
  - name: email-flood
    signal: writes
    tool: "email.*"
    threshold: 3
    window: 1m
    expires: 30m
`;

describe(
  'the rules page lists the sentinels, and a trip shows up live as a rule by sentinel:<name>',
  { skip: missing },
  () => {
    let server: ControlPlaneProcess;
    let browser: Browser;

    before(async () => {
      await ensureBuilt();
      server = await startControlPlane(CONFIG);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('a viewer sees the configured sentinel, then its trip appear without a reload', async () => {
      const page = await signIn(browser, server.url, await server.token('watcher', 'viewer'));
      await page.getByRole('link', { name: 'Rules', exact: true }).click();
      const sentinels = page.getByTestId('sentinels-table');
      await sentinels.getByText('sentinel:email-flood').waitFor();
      await sentinels.getByText('3 writes of email.*').waitFor();
      await page.getByText('No active rules.').waitFor();

      const enforcer = await server.token('workers', 'enforcer');
      for (let index = 0; index < 3; index++) {
        const claim = await server.call(enforcer, 'POST', '/v1/idempotency/claim', {
          tenant: 'acme',
          tool: 'email.send',
          key: `mail-${index}`,
          windowMs: 60_000,
        });
        if (claim.body.status !== 'claimed') throw new Error(JSON.stringify(claim.body));
      }
      const row = page.getByTestId('rules-table').locator('tr', { hasText: 'sentinel:email-flood' });
      await row.getByText('sentinel email-flood: 3 writes of email.* for tenant=acme within 1m').waitFor();
      await row.getByText('tenant=acme tool=email.*').waitFor();
      await page.context().close();
    });
  },
);
