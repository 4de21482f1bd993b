import type { Store } from '@estop/core';
import type { ChangeHub } from './change-hub.js';
import type { ViewFreshness } from './view-freshness.js';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';

/** What made a replica look for other replicas' commits: the store's announcement, or the poll. */
export type ReplicaSyncTrigger = 'notify' | 'poll';

/**
 * Keeps this replica's state in step with commits made by other control-plane processes on the
 * same store: it reads the change events after its version and publishes them to its streams.
 * It runs when the store announces a commit (where it can) and on a poll, so that a missed
 * announcement delays a change by one poll at most. `onApplied` is told of each version applied
 * and what found it, so that a poll doing the announcements' work shows in the metrics.
 * Each read that succeeds and leaves the hub with no gap confirms `view` as of the read's start;
 * the poll runs at least twice within the view's bound, so that an idle replica stays confirmed.
 */
export async function startReplicaSync(options: {
  store: Pick<Store, 'rules' | 'watchChanges'>;
  hub: ChangeHub;
  registry: EnforcerRegistry;
  view: Pick<ViewFreshness, 'now' | 'confirm' | 'failed' | 'staleAfterMs'>;
  pollMs: number;
  onError: (error: unknown) => void;
  onApplied?: ((via: ReplicaSyncTrigger) => void) | undefined;
}): Promise<{ close(): Promise<void> }> {
  const { store, hub, registry } = options;
  const onApplied = options.onApplied ?? (() => {});
  let running: Promise<void> | undefined;
  // The trigger of the next run, if one came while a run was under way; an announcement wins.
  let again: ReplicaSyncTrigger | undefined;

  const catchUp = async (via: ReplicaSyncTrigger): Promise<void> => {
    for (;;) {
      const startedAt = options.view.now();
      const events = await store.rules.changesSince(hub.snapshot().version, 1000);
      for (const event of events) {
        const before = hub.snapshot().version;
        registry.noteCommit(event.version, Date.parse(event.at));
        hub.publish(event);
        if (hub.snapshot().version > before) onApplied(via);
      }
      if (events.length < 1000) {
        // Everything committed when the read started is applied, unless the hub still waits on a gap.
        const last = events.at(-1);
        if (last === undefined || hub.snapshot().version >= last.version) options.view.confirm(startedAt);
        return;
      }
    }
  };

  const sync = (via: ReplicaSyncTrigger): void => {
    if (running !== undefined) {
      again = again === 'notify' ? again : via;
      return;
    }
    running = catchUp(via)
      .catch((error: unknown) => {
        options.view.failed();
        options.onError(error);
      })
      .finally(() => {
        running = undefined;
        const next = again;
        again = undefined;
        if (next !== undefined) sync(next);
      });
  };

  const timer = setInterval(() => sync('poll'), Math.max(10, Math.min(options.pollMs, options.view.staleAfterMs / 2)));
  timer.unref();
  const watcher = await store
    .watchChanges?.(() => sync('notify'))
    .catch((error: unknown) => {
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
