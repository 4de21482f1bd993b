// `npm start`'s build: compiles what changed and says nothing when nothing did. The packages
// build incrementally with `tsc -b` (a no-op when they are current); the dashboard is typechecked
// and bundled only when its sources, or the packages it bundles, are newer than its dist/. A
// failing step prints its output and fails the start.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isOutputStale } from './stale-output.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a step with its output held back; prints it only when the step fails. */
function quietly(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status === 0) return;
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  process.stderr.write(`build failed: ${command} ${args.join(' ')}\n`);
  process.exit(result.status ?? 1);
}

quietly('npx', ['tsc', '-b', 'tsconfig.build.json']);
const dashboard = {
  output: 'packages/dashboard/dist/index.html',
  sources: [
    'packages/dashboard/src',
    'packages/dashboard/index.html',
    'packages/dashboard/vite.config.ts',
    'packages/dashboard/tsconfig.json',
    'packages/dashboard/package.json',
    'packages/client/src',
    'packages/core/src',
  ],
};
if (
  isOutputStale({ output: `${root}${dashboard.output}`, sources: dashboard.sources.map((path) => `${root}${path}`) })
) {
  process.stdout.write('building the dashboard…\n');
  quietly('npx', ['tsc', '-p', 'packages/dashboard/tsconfig.json']);
  quietly('npm', ['run', 'build', '--silent', '-w', '@estop/dashboard']);
}
