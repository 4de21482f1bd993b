import { EstopError } from '@estop/core';
import type { SqliteContext } from './sqlite-context.js';
import { toStoreError } from './sqlite-errors.js';

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs small writes in groups; see createCommitGroup. */
export type CommitGroup = <T>(work: () => T) => Promise<T>;

/**
 * Group commit: writes queued while the event loop is busy run together in one IMMEDIATE
 * transaction at the next turn, so one sync of the WAL makes all of them durable instead of one
 * sync each. Each write resolves only after the transaction holding it has committed and, with
 * `durable` (for a connection that does not sync at commit, see WalSync), after `durable()` has
 * put the commit on disk; so a caller is never told of a change that a crash or a power loss
 * could take back. A write that throws rejects on its own (its statement's changes are undone by
 * SQLite) and the others commit; a transaction that cannot commit, or be made durable, rejects
 * every write in it.
 */
export function createCommitGroup(context: SqliteContext, durable?: () => Promise<void>): CommitGroup {
  let queue: Queued[] = [];

  const runAll = context.db.transaction((batch: Queued[]) =>
    batch.map((item): { ok: true; value: unknown } | { ok: false; error: unknown } => {
      try {
        return { ok: true, value: item.work() };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  const flush = (): void => {
    const batch = queue;
    queue = [];
    context
      .run(() => runAll.immediate(batch))
      .then(async (outcomes) => {
        if (durable !== undefined) {
          try {
            await durable();
          } catch (error) {
            throw new EstopError({
              code: 'unavailable',
              message: `SQLite store: committed, but could not sync the write-ahead log to disk: ${(error as Error).message}`,
              cause: error,
            });
          }
        }
        return outcomes;
      })
      .then(
        (outcomes) => {
          outcomes.forEach((outcome, index) => {
            const item = batch[index] as Queued;
            if (outcome.ok) item.resolve(outcome.value);
            else item.reject(toStoreError(outcome.error));
          });
        },
        (error: unknown) => {
          for (const item of batch) item.reject(error);
        },
      );
  };

  return <T>(work: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (queue.length === 1) setImmediate(flush);
    });
}
