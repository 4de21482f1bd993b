// The README's "30 seconds", runnable: a guard asks whether the agent "mailer" may send an email
// for the tenant "acme", prints the decision and exits (0 allowed, 1 stopped or no control plane).
//   ESTOP_URL (default http://127.0.0.1:7070), ESTOP_GUARD_TOKEN (an enforcer token).
import process from 'node:process';
import { createGuard } from '@estop/sdk';

const guard = createGuard({
  url: process.env.ESTOP_URL ?? 'http://127.0.0.1:7070',
  token: process.env.ESTOP_GUARD_TOKEN ?? '',
  tools: { 'email.send': 'write' },
});
try {
  await guard.ready();
  const decision = guard.decide({ tenant: 'acme', agent: 'mailer', tool: 'email.send' });
  if (decision.outcome === 'allow') {
    console.log('allowed: email.send for acme');
  } else {
    console.log(`stopped: ${decision.reason}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`no decision: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  // The guard holds a stream to the control plane open; closing it lets the process exit.
  await guard.close();
}
