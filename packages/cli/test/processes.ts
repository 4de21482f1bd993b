import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
/** The built CLI, as `npx estop` runs it. */
export const BIN = join(root, 'packages/cli/dist/bin.js');

/** Environment for child processes without the test runner's loader flags. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** A real `estop serve` process on a free port. */
export interface ServerProcess {
  url: string;
  data: string;
  adminToken: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServerProcess(
  options: { data?: string; args?: string[]; adminToken?: string } = {},
): Promise<ServerProcess> {
  const data = options.data ?? (await mkdtemp(join(tmpdir(), 'estop-e2e-')));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, ...(options.args ?? [])], {
    env: childEnv({ ESTOP_ADMIN_TOKEN: options.adminToken ?? '' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /control plane on (\S+)/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`estop serve exited with ${code}: ${stderr}`)));
  });
  const adminToken = options.adminToken ?? (await readFile(join(data, 'admin-token'), 'utf8')).trim();
  return {
    url,
    data,
    adminToken,
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

/** Runs the built CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A process holding SDK guards, answering decide/version queries over stdin/stdout. */
export interface WorkerProcess {
  ask(command: unknown): Promise<any>;
  child: ChildProcess;
  close(): Promise<void>;
}

export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./fixtures/guard-worker.ts', import.meta.url))],
    { env: childEnv(env), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const queue: ((line: string) => void)[] = [];
  lines.on('line', (line) => queue.shift()?.(line));
  const next = () => new Promise<any>((resolve) => queue.push((line) => resolve(JSON.parse(line))));
  await next(); // ready
  return {
    child,
    async ask(command) {
      const answer = next();
      child.stdin?.write(`${JSON.stringify(command)}\n`);
      return answer;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.write(`${JSON.stringify({ close: true })}\n`);
      await exited;
    },
  };
}
