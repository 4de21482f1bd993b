// Runs the email worker against a control plane and Redis named by the environment:
//   ESTOP_URL, ESTOP_TOKEN (an enforcer token), REDIS_HOST, REDIS_PORT, QUEUE (default "emails").
import process from 'node:process';
import { createGuard } from '@estop/sdk';
import { startEmailWorker } from './email-worker.js';

const guard = createGuard({
  url: process.env.ESTOP_URL ?? 'http://127.0.0.1:7070',
  token: process.env.ESTOP_TOKEN ?? '',
});
await guard.ready();
const worker = startEmailWorker({
  guard,
  queueName: process.env.QUEUE ?? 'emails',
  connection: { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) },
  send: async (email, signal) => {
    // Stands in for a real mail API; pass `signal` to it (fetch, SMTP client) so a stop aborts it.
    signal.throwIfAborted();
    return `sent "${email.subject}" to ${email.to}`;
  },
});
worker.on('failed', (job, error) => console.log(`job ${job?.id} failed: ${error.message}`));
worker.on('completed', (job, result) => console.log(`job ${job.id}: ${result}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void worker.close().then(() => guard.close());
  });
}
