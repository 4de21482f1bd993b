// One process of guards for the propagation benchmark. The parent arms it with the outcome it
// expects for a call; every guard records the first moment it decides that outcome.
import { performance } from 'node:perf_hooks';
import { createGuard, type Call, type Guard } from '@estop/sdk';

interface Arm {
  flip: number;
  call: Call;
  expect: 'allow' | 'deny';
}

const [url, token, countText, prefix] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countText);
const guards: Guard[] = [];
// Thousands of guards closing at once outrun the control plane's answers to their deregistrations:
// the records are forgotten later, and the benchmark is over by then.
let closing = false;
const onError = (error: Error): void => {
  if (!closing) console.error(`[estop] ${error.message}`);
};
for (let index = 0; index < count; index++) {
  guards.push(
    createGuard({ url, token, name: `${prefix}-${index}`, staleAfterMs: 60_000, readyTimeoutMs: 300_000, onError }),
  );
}
await Promise.all(guards.map((guard) => guard.ready()));

let armed: Arm | undefined;
let times: number[] = [];
let seen = 0;

function check(index: number): void {
  if (armed === undefined || !Number.isNaN(times[index])) return;
  if ((guards[index] as Guard).decide(armed.call).outcome !== armed.expect) return;
  times[index] = performance.timeOrigin + performance.now();
  seen += 1;
  if (seen === count) {
    process.send?.({ done: armed.flip, times });
    armed = undefined;
  }
}

guards.forEach((guard, index) => guard.onChange(() => check(index)));

process.on('message', (message: { arm?: Arm; close?: boolean }) => {
  if (message.arm !== undefined) {
    armed = message.arm;
    times = new Array<number>(count).fill(Number.NaN);
    seen = 0;
    process.send?.({ armed: message.arm.flip });
  } else if (message.close === true) {
    closing = true;
    void Promise.all(guards.map((guard) => guard.close())).then(() => process.exit(0));
  }
});
process.send?.({ ready: true });
