// One agent process for the runs benchmark: a guard whose runs each hold a tool call open until
// its signal aborts, reporting the moment the tool function sees the abort.
import { performance } from 'node:perf_hooks';
import { createGuard } from '@estop/sdk';

const [url, token] = process.argv.slice(2) as [string, string];
const guard = createGuard({ url, token, name: 'bench-runs', staleAfterMs: 60_000, breakGlass: {}, onError: () => {} });
await guard.ready();

process.on('message', (message: { start?: number; close?: boolean }) => {
  if (message.start !== undefined) {
    const round = message.start;
    const run = guard.startRun({ tenant: 'bench-tenant', id: `bench-run-${round}`, heartbeatMs: 60_000 });
    void run
      .tool(
        'bench.wait',
        {},
        (_args, { signal }) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              process.send?.({ aborted: round, at: performance.timeOrigin + performance.now() });
              resolve();
            });
            process.send?.({ started: round, runId: run.id });
          }),
        { effect: 'read' },
      )
      .catch(() => {});
  } else if (message.close === true) {
    void guard.close().then(() => process.exit(0));
  }
});
process.send?.({ ready: true });
