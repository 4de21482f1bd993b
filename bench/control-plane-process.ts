// What the multi-process benchmarks share: a real `estop serve` in its own process, an admin
// client for its API, and waiting for a worker process's message.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The admin token every benchmark's control plane accepts. */
export const ADMIN = 'estop_bench-admin';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The environment for child processes: the admin token, and none of this process's loader flags. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ESTOP_ADMIN_TOKEN: ADMIN };
  delete env.NODE_OPTIONS;
  return env;
}

/** Starts the built `estop serve` on a free port with a fresh SQLite data directory; `config` is added YAML. */
export async function startControlPlaneProcess(
  nodeArgs: string[] = [],
  config = '',
): Promise<{ url: string; child: ChildProcess }> {
  const data = await mkdtemp(join(tmpdir(), 'estop-bench-'));
  // Benchmarks flip full stops on and off in a loop: their lifts must not wait for a second admin.
  const file = join(data, 'estop.yaml');
  await writeFile(file, `restore:\n  second_approver: []\n${config}`);
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(root, 'packages/cli/dist/bin.js'), 'serve', '--port', '0', '--data', data, '--config', file],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /control plane on (\S+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`estop serve exited with ${code}`)));
  });
  return { url, child };
}

/** Stops a child process and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Calls the control plane's API as the admin; POST when there is a body. */
export async function adminRequest(url: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Resolves with the first IPC message from `child` that satisfies `predicate`. */
export function messageFrom(child: ChildProcess, predicate: (message: any) => boolean = () => true): Promise<any> {
  return new Promise((resolve, reject) => {
    const listener = (received: any) => {
      if (!predicate(received)) return;
      child.off('message', listener);
      child.off('exit', onExit);
      resolve(received);
    };
    const onExit = (code: number | null) => {
      child.off('message', listener);
      reject(new Error(`benchmark process exited with ${code}`));
    };
    child.on('message', listener);
    child.once('exit', onExit);
  });
}
