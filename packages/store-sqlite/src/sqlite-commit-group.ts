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
 * sync each. Each write resolves only after the transaction holding it has committed, so a
 * caller is never told of a change that a crash could take back. A write that throws rejects on
 * its own (its statement's changes are undone by SQLite) and the others commit; a transaction
 * that cannot commit at all rejects every write in it.
 */
export function createCommitGroup(context: SqliteContext): CommitGroup {
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
