import type { Guard } from '@estop/sdk';
import { Worker, type ConnectionOptions } from 'bullmq';
import { createGuardedProcessor, type GuardedJobData } from './guarded-processor.js';

/** An email job: the tenant it is for, and the email. */
export interface EmailJobData extends GuardedJobData {
  to: string;
  subject: string;
}

/** What the email worker needs: its guard, its queue, and how to send. */
export interface EmailWorkerOptions {
  guard: Guard;
  queueName: string;
  connection: ConnectionOptions;
  /** Sends one email, giving up when `signal` aborts. */
  send: (email: EmailJobData, signal: AbortSignal) => Promise<string>;
  concurrency?: number | undefined;
}

/**
 * A BullMQ worker sending emails, each job under an estop run for its tenant (see
 * `createGuardedProcessor`). Close it with `worker.close()` before `guard.close()`.
 */
export function startEmailWorker(options: EmailWorkerOptions): Worker<EmailJobData, string> {
  const processor = createGuardedProcessor<EmailJobData, string>({
    guard: options.guard,
    tool: 'email.send',
    effect: 'write',
    work: options.send,
  });
  return new Worker<EmailJobData, string>(options.queueName, processor, {
    connection: options.connection,
    concurrency: options.concurrency ?? 4,
  });
}
