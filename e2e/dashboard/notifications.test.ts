import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** A webhook receiver on a free port that answers every POST with `status`. */
async function receiver(status: number): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("the audit page shows each notification receiver's delivery state and last failure", { skip: missing }, () => {
  let server: ControlPlaneProcess;
  let browser: Browser;
  let good: { server: Server; url: string };
  let broken: { server: Server; url: string };

  before(async () => {
    await ensureBuilt();
    good = await receiver(204);
    broken = await receiver(500);
    server = await startControlPlane(`notify:
  - url: ${good.url}/hook
  - url: ${broken.url}/hook
`);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    good?.server.close();
    broken?.server.close();
  });

  it('a viewer sees one receiver delivered and the other retrying with its error', async () => {
    const created = await server.call(server.adminToken, 'POST', '/v1/rules', {
      scope: { tenant: 'acme' },
      mode: 'read_only',
      reason: 'notify the receivers',
      cancelInFlight: false,
    });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    const page = await signIn(browser, server.url, await server.token('watcher', 'viewer'));
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    const table = page.getByTestId('notify-table');
    const ok = table.locator(`tr[data-receiver="${good.url}"]`);
    const failing = table.locator(`tr[data-receiver="${broken.url}"]`);
    // Delivery happens after the audit entry and announces nothing: the panel is refreshed on request.
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForLoadState();
      return (
        (await ok.getByText('delivered', { exact: true }).count()) > 0 &&
        (await failing.getByText('retrying', { exact: true }).count()) > 0
      );
    }, 'one receiver delivered, the other retrying');
    await ok.getByText('rule-created', { exact: false }).waitFor();
    await ok.getByTestId('last-failure').filter({ hasText: /^—$/ }).waitFor();
    await failing.getByTestId('last-failure').filter({ hasText: /500/ }).waitFor();
    await page.context().close();
  });
});
