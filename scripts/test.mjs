// Runs every test file of the packages, the e2e/ workspace and scripts/ with Node's test runner, from TypeScript sources.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

function collect(directory, found = []) {
  for (const entry of readdirSync(directory)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) collect(path, found);
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
const files = [...collect('packages'), ...collect('e2e'), ...collect('scripts')]
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  process.stderr.write('no test files matched\n');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-timeout=120000', '--conditions=source', '--import', 'tsx', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
