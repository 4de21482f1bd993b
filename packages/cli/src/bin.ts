#!/usr/bin/env node
import { ignoreClosedPipe } from './closed-pipe.js';
import { main } from './main.js';

ignoreClosedPipe(process.stdout);
ignoreClosedPipe(process.stderr);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
