import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BIN, runCli, startServerProcess, type ServerProcess } from './processes.js';

/** Runs the built CLI with its stdout a pipe whose reading end is closed before the CLI writes. */
function runIntoClosedPipe(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const childEnvironment = { ...process.env, ...env };
    delete childEnvironment.NODE_OPTIONS;
    delete childEnvironment.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: childEnvironment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Like `| head -1` having read its line and gone: every write of the CLI meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

describe('a closed stdout pipe is a normal end for every command', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(async () => {
    await server.stop();
  });

  it('help into a closed pipe exits 0 without a stack trace', async () => {
    const result = await runIntoClosedPipe(['--help'], {});
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
  });

  it('kill into a closed pipe creates its rule, exits 0 and prints no stack trace', async () => {
    const admin = { ESTOP_URL: server.url, ESTOP_TOKEN: server.adminToken };
    const result = await runIntoClosedPipe(
      ['kill', '--tenant', 'closed-pipe', '--mode', 'read_only', '--reason', 'piped into head'],
      admin,
    );
    assert.doesNotMatch(result.stderr, /EPIPE|at /);
    assert.equal(result.code, 0, result.stderr);
    const status = await runCli(['status', '--json'], admin);
    assert.match(status.stdout, /closed-pipe/);
  });
});
