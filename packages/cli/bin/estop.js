#!/usr/bin/env node
// The `estop` command. It lives outside dist/ so that npm links it at install time, before the
// first build; it runs the compiled CLI.
import { existsSync } from 'node:fs';
import process from 'node:process';

const compiled = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('estop: the CLI is not built yet; run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(compiled.href);
