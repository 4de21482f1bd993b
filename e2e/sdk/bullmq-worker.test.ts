import assert from 'node:assert/strict';
import process from 'node:process';
import { after, before, describe, it } from 'node:test';
import { Queue, type Job, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startEmailWorker, type EmailJobData } from '../../examples/bullmq-worker/email-worker.js';
import { RunStoppedError } from '@estop/sdk';
import { startRealControlPlane, type RealControlPlane } from './real-control-plane.js';
import { waitFor } from '../../packages/sdk/test/wait-for.js';

// The Redis on this machine; REDIS_PORT points the tests at another port.
const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };
const where = `Redis at ${connection.host}:${connection.port}`;

/** Whether Redis answers; the tests need the real server. */
async function redisAnswers(): Promise<boolean> {
  const client = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const reachable = await redisAnswers();
if (!reachable && process.env.CI === 'true') {
  throw new Error(`${where} is unreachable, and CI needs the BullMQ worker tests to run`);
}
const skip = reachable ? false : `${where} is unreachable: start redis-server to run the BullMQ worker tests`;

/** A stand-in mail API: records what it sent, and can hold each send until its signal aborts. */
function mailer() {
  const sent: string[] = [];
  const signals: AbortSignal[] = [];
  let hold = false;
  return {
    sent,
    signals,
    holdSends: () => (hold = true),
    send: (email: EmailJobData, signal: AbortSignal): Promise<string> => {
      signals.push(signal);
      if (!hold) {
        sent.push(email.to);
        return Promise.resolve(`sent to ${email.to}`);
      }
      return new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    },
  };
}

/** Polls the job until it has completed or failed, and returns it as the queue has it then. */
async function finished(queue: Queue, id: string): Promise<{ state: string; job: Job }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') {
      // Read after the state, so the job carries what finishing it wrote.
      const job = await queue.getJob(id);
      if (job !== undefined) return { state, job };
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for job ${id}, still ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a BullMQ worker guarded by estop refuses jobs of a stopped tenant and aborts running ones', { skip }, () => {
  let control: RealControlPlane;
  let queue: Queue<EmailJobData, string>;
  let worker: Worker<EmailJobData, string>;
  const mail = mailer();
  const queueName = `estop-test-${process.pid}-${Date.now()}`;

  before(async () => {
    control = await startRealControlPlane();
    queue = new Queue<EmailJobData, string>(queueName, { connection });
    worker = startEmailWorker({ guard: control.guard, queueName, connection, send: mail.send });
    await worker.waitUntilReady();
  });
  after(async () => {
    await worker?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await control?.close();
  });

  it('a job of a running tenant sends its email and completes', async () => {
    const added = await queue.add('email', { tenant: 'bull-ok', to: 'a@example.com', subject: 'hi' });
    const { state, job } = await finished(queue, added.id!);
    assert.equal(state, 'completed');
    assert.equal(job.returnvalue, 'sent to a@example.com');
    assert.deepEqual(mail.sent, ['a@example.com']);
  });

  it('a job whose tenant is stopped fails with the stop reason, unretried, and never sends', async () => {
    const rule = await control.rule({ scope: { tenant: 'bull-stopped' }, mode: 'full_stop', reason: 'incident 10' });
    const added = await queue.add(
      'email',
      { tenant: 'bull-stopped', to: 'b@example.com', subject: 'hi' },
      { attempts: 3 },
    );
    const { state, job } = await finished(queue, added.id!);
    assert.equal(state, 'failed');
    assert.equal(job.failedReason, `refused: killed:${rule.id}`);
    assert.equal(job.attemptsMade, 1);
    assert.ok(!mail.sent.includes('b@example.com'));
    await control.lift(rule.id);
  });

  it('a job sending when its tenant gets a full_stop has its send aborted and fails with the stop reason', async () => {
    mail.holdSends();
    const before = mail.signals.length;
    const added = await queue.add('email', { tenant: 'bull-killed', to: 'c@example.com', subject: 'hi' });
    await waitFor('the send to start', () => mail.signals.length > before);
    const signal = mail.signals[before]!;
    const rule = await control.rule({ scope: { tenant: 'bull-killed' }, mode: 'full_stop', reason: 'incident 11' });
    await waitFor('the send to be aborted', () => signal.aborted);
    assert.ok(signal.reason instanceof RunStoppedError);
    const { state, job } = await finished(queue, added.id!);
    assert.equal(state, 'failed');
    assert.equal(job.failedReason, `aborted: killed:${rule.id}`);
    assert.ok(!mail.sent.includes('c@example.com'));
    await control.lift(rule.id);
  });

  it("the worker's own cancellation (cancelJob) aborts the send too, leaving the tenant running", async () => {
    mail.holdSends();
    const before = mail.signals.length;
    const added = await queue.add('email', { tenant: 'bull-cancelled', to: 'd@example.com', subject: 'hi' });
    await waitFor('the send to start', () => mail.signals.length > before);
    const signal = mail.signals[before]!;
    assert.equal(worker.cancelJob(added.id!, 'operator cancelled'), true);
    await waitFor('the send to be aborted', () => signal.aborted);
    const { state } = await finished(queue, added.id!);
    assert.equal(state, 'failed');
    assert.equal(
      control.guard.decide({ tenant: 'bull-cancelled', tool: 'email.send', effect: 'write' }).outcome,
      'allow',
    );
  });
});
