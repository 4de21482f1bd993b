import type { Store } from '@estop/core';
import type { ChangeHub } from './change-hub.js';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';

/**
 * Keeps this replica's state in step with commits made by other control-plane processes on the
 * same store: it reads the change events after its version and publishes them to its streams.
 * It runs when the store announces a commit (where it can) and on a poll, so that a missed
 * announcement delays a change by one poll at most.
 */
export async function startReplicaSync(options: {
  store: Pick<Store, 'rules' | 'watchChanges'>;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  pollMs: number;
  onError: (error: unknown) => void;
}): Promise<{ close(): Promise<void> }> {
  const { store, hub, registry } = options;
  let running: Promise<void> | undefined;
  let again = false;

  const catchUp = async (): Promise<void> => {
    for (;;) {
      const events = await store.rules.changesSince(hub.snapshot().version, 1000);
      for (const event of events) {
        registry.noteCommit(event.version, Date.parse(event.at));
        hub.publish(event);
      }
      if (events.length < 1000) return;
    }
  };

  const sync = (): void => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = catchUp()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          sync();
        }
      });
  };

  const timer = setInterval(sync, options.pollMs);
  timer.unref();
  const watcher = await store.watchChanges?.(sync).catch((error: unknown) => {
    options.onError(error);
    return undefined;
  });
  return {
    async close() {
      clearInterval(timer);
      await watcher?.close();
      await running;
    },
  };
}
