import type { Clock } from '@estop/core';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';
import type { Logger } from '../logger.js';
import type { ChangeHub } from '../stream/change-hub.js';
import type { Notifier } from './notifier.js';

/**
 * Watches every new rule (committed here or by another replica): when some live enforcer has not
 * applied its version `afterMs` later, notifies `enforcement-lagging` once, naming them. Replicas
 * that all see it queue one delivery: its id derives from the rules.
 */
export function watchEnforcementLag(options: {
  hub: ChangeHub;
  registry: Pick<EnforcerRegistry, 'enforcementEverywhere'>;
  notifier: Pick<Notifier, 'queue'>;
  clock: Clock;
  logger: Logger;
  afterMs: number;
}): { close(): void } {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const unsubscribe = options.hub.subscribe((event) => {
    const rules = event.changes.flatMap((change) => (change.type === 'rule-created' ? [change.rule] : []));
    if (rules.length === 0) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void (async () => {
        const enforcement = await options.registry.enforcementEverywhere(event.version);
        if (enforcement.pending.length === 0) return;
        const names = enforcement.pending.map((enforcer) => enforcer.name).join(', ');
        await options.notifier.queue({
          event: 'enforcement-lagging',
          source: `lagging:${rules.map((rule) => rule.id).join(',')}`,
          at: new Date(options.clock.now()).toISOString(),
          text: `estop enforcement-lagging: ${enforcement.pending.length} of ${enforcement.total} enforcers have not applied version ${event.version} after ${options.afterMs} ms: ${names}`,
          data: {
            version: event.version,
            afterMs: options.afterMs,
            rules: rules.map((rule) => ({ id: rule.id, mode: rule.mode, scope: rule.scope })),
            acknowledged: enforcement.acknowledged,
            total: enforcement.total,
            pending: enforcement.pending,
          },
        });
      })().catch((error: unknown) =>
        options.logger.error('checking enforcement for lagging failed', { error: String(error) }),
      );
    }, options.afterMs);
    timer.unref();
    timers.add(timer);
  });
  return {
    close() {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
