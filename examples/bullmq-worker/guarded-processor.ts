import { CallDeniedError, isDrafted, RunStoppedError, type Guard } from '@estop/sdk';
import { UnrecoverableError, type Job, type Processor } from 'bullmq';

/** What every guarded job carries: whose work it is, so the guard can stop it. */
export interface GuardedJobData {
  tenant: string;
  agent?: string | undefined;
}

/** How a guarded processor runs its jobs. */
export interface GuardedProcessorOptions<Data extends GuardedJobData, Result> {
  guard: Guard;
  /** The side effect's name as rules see it, e.g. `email.send`. */
  tool: string;
  /** `read` or `write` (the default): `read_only` refuses writes only. */
  effect?: 'read' | 'write' | undefined;
  /** Does the job's side effect, passing `signal` to whatever it awaits. */
  work: (data: Data, signal: AbortSignal) => Promise<Result>;
}

/**
 * A BullMQ processor that runs each job as an estop run for the job's tenant and does its side
 * effect through `run.tool`. A job whose tenant (or agent) is stopped, or whose write a rule
 * refuses, fails with `refused: …` and its side effect never starts; a job running when a
 * `full_stop` lands has its work's signal aborted and fails with `aborted: <stop reason>`.
 *
 * Both fail with BullMQ's `UnrecoverableError`, so the queue does not retry them on its own:
 * the stop is an operator's decision, and a job retried automatically would run again the
 * moment the stop is lifted without anyone choosing that. The failed job keeps its data and
 * the reason; retry it explicitly (`job.retry()`) once the stop is lifted. Under `draft_only`
 * the side effect is recorded as a draft instead of done, and the job fails the same way with
 * `drafted: …` naming the draft. The job's id is the write's idempotency key, so a job that
 * BullMQ runs again after it succeeded (a stalled worker, say) gets the first result back
 * instead of doing its side effect twice.
 *
 * @example
 * const processor = createGuardedProcessor({ guard, tool: 'email.send', work: (data, signal) => send(data, { signal }) });
 * new Worker('emails', processor, { connection });
 */
export function createGuardedProcessor<Data extends GuardedJobData, Result>(
  options: GuardedProcessorOptions<Data, Result>,
): Processor<Data, Result> {
  const { guard, tool, effect = 'write', work } = options;
  return async (job: Job<Data, Result>, _token?: string, cancelSignal?: AbortSignal): Promise<Result> => {
    const run = guard.startRun({
      tenant: job.data.tenant,
      agent: job.data.agent ?? 'bullmq-worker',
      id: `bullmq:${job.queueName}:${job.id ?? 'unknown'}`,
    });
    let started = false;
    try {
      const result = await run.tool(
        tool,
        job.data,
        (data, { signal }) => {
          started = true;
          // BullMQ's own cancellation (`worker.cancelJob`) aborts the work too.
          return work(data, cancelSignal === undefined ? signal : AbortSignal.any([signal, cancelSignal]));
        },
        { effect, idempotencyKey: `bullmq:${job.queueName}:${job.id ?? 'unknown'}` },
      );
      if (isDrafted(result)) throw new UnrecoverableError(`drafted: ${result.message}`);
      return result;
    } catch (error) {
      if (error instanceof RunStoppedError) {
        throw new UnrecoverableError(`${started ? 'aborted' : 'refused'}: ${error.stopReason}`);
      }
      if (error instanceof CallDeniedError) {
        throw new UnrecoverableError(`${started ? 'aborted' : 'refused'}: ${error.message}`);
      }
      throw error;
    } finally {
      await run.end();
    }
  };
}
