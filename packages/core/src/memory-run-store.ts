import type { RunStore, SharedRun } from './ports/run-store.js';

/** Shared runs in memory, for the memory store; `open` throws once the store is closed. */
export function memoryRunStore(open: () => void): RunStore {
  const runs = new Map<string, string>();
  const all = () => [...runs.values()].map((text) => JSON.parse(text) as SharedRun);
  return {
    async save(saved) {
      open();
      for (const run of saved) runs.set(run.record.id, JSON.stringify(run));
    },
    async list(query) {
      open();
      return all().filter((run) => run.heardAt >= query.heardSince);
    },
    async removeHeardBefore(heardBefore) {
      open();
      const gone = all().filter((run) => run.heardAt < heardBefore);
      for (const run of gone) runs.delete(run.record.id);
      return gone.length;
    },
  };
}
