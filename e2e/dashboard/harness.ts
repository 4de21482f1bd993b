import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import type { Effect } from '@estop/core';
import { createGuard, type Guard } from '@estop/sdk';
import { chromium, type Browser, type Page } from 'playwright-core';

export { eventually } from '../../packages/dashboard/test/eventually.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dashboard = join(root, 'packages', 'dashboard');

/** Where the tests expect headless Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI a missing
 * Chromium is a failure, not a skip (the caller decides); elsewhere the skip names the path.
 */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `headless Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\``;
}

/**
 * Why the browser tests of a file cannot run, for `describe`'s `skip` (undefined when they can).
 * Under CI a missing browser is a failure, not a skip.
 */
export function browserSkip(): string | undefined {
  const missing = chromiumMissing();
  if (missing !== undefined && process.env.CI === 'true') {
    it('runs the dashboard in headless Chromium under CI', () => assert.fail(missing));
  }
  return missing;
}

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isBuilt(): boolean {
  const index = join(dashboard, 'dist', 'index.html');
  const sources = Math.max(newestSource(join(dashboard, 'src')), statSync(join(dashboard, 'index.html')).mtimeMs);
  return existsSync(index) && statSync(index).mtimeMs >= sources;
}

/**
 * Builds the dashboard (vite) when dist/ is missing or older than its sources. Test files run in
 * parallel: one builds under a lock directory while the others wait for it, since a second build
 * would empty dist/ under a page being served.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(tmpdir(), 'estop-dashboard-build.lock');
  for (;;) {
    if (isBuilt()) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds; a lock left by a killed one is taken over after two minutes.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    if (isBuilt()) return;
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
      cwd: dashboard,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A real `estop serve` on SQLite in a temp directory, on a free port. */
export interface ControlPlaneProcess {
  url: string;
  adminToken: string;
  child: ChildProcess;
  /** Calls the API as `token`; answers the status and the parsed body. */
  call(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /**
   * Creates a token of `role` (optionally bound to `tenant`) and returns its secret. A new admin
   * principal while two or more exist is a request: it is confirmed with an unbound admin token
   * this helper made before.
   */
  token(name: string, role: string, tenant?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startControlPlane(config = ''): Promise<ControlPlaneProcess> {
  const data = await mkdtemp(join(tmpdir(), 'estop-dashboard-'));
  const args = ['--conditions=source', '--import', 'tsx', join(root, 'packages/cli/src/bin.ts'), 'serve'];
  args.push('--port', '0', '--data', data);
  if (config !== '') {
    await writeFile(join(data, 'estop.yaml'), config);
    args.push('--config', join(data, 'estop.yaml'));
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ESTOP_ADMIN_TOKEN: '' };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /control plane on (\S+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`estop serve exited with ${code}: ${stderr}`)));
  });
  const adminToken = (await readFile(join(data, 'admin-token'), 'utf8')).trim();
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const unboundAdmins: string[] = [];
  return {
    url,
    adminToken,
    child,
    call,
    async token(name, role, tenant) {
      const created = await call(adminToken, 'POST', '/v1/tokens', { name, role, ...(tenant ? { tenant } : {}) });
      const confirmer = unboundAdmins[0];
      if (created.status === 202 && confirmer !== undefined) {
        const path = `/v1/tokens/requests/${created.body.request.id}/confirm`;
        const confirmed = await call(confirmer, 'POST', path, { reason: 'test setup' });
        if (confirmed.status !== 200) throw new Error(`confirming ${name}: ${JSON.stringify(confirmed.body)}`);
      } else if (created.status !== 201) {
        throw new Error(`token ${name}: ${JSON.stringify(created.body)}`);
      }
      if (role === 'admin' && tenant === undefined) unboundAdmins.push(created.body.token as string);
      return created.body.token as string;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(data, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium as CI runs it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** Opens the dashboard and signs in with `token`; answers the page at home. */
export async function signIn(browser: Browser, url: string, token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
  return page;
}

/**
 * Writes a screenshot into docs/ only when it is missing or UPDATE_SCREENSHOTS=1, so that test
 * runs (CI's included) leave the tree clean.
 */
export async function screenshot(page: Page, name: string): Promise<boolean> {
  const path = join(root, 'docs', name);
  if (existsSync(path) && process.env.UPDATE_SCREENSHOTS !== '1') return false;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: false });
  return true;
}

/** What a browser test works with: a control plane, a browser, and an SDK guard enforcing. */
export interface Scene {
  server: ControlPlaneProcess;
  browser: Browser;
  guard: Guard;
  close(): Promise<void>;
}

/** Builds the page if needed, starts a control plane and a browser, and connects a guard named `name`. */
export async function startScene(name: string, tools: Record<string, Effect>): Promise<Scene> {
  await ensureBuilt();
  const server = await startControlPlane();
  const browser = await launchBrowser();
  const guard = createGuard({
    url: server.url,
    token: await server.token('workers', 'enforcer'),
    name,
    tools,
    onError: () => {},
  });
  await guard.ready();
  return {
    server,
    browser,
    guard,
    async close() {
      await guard.close();
      await browser.close();
      await server.stop();
    },
  };
}
