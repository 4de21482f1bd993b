import type { ChangeEvent } from '@estop/core';
import type { EnforcerRegistry } from '../enforcers/enforcer-registry.js';
import type { ChangeHub } from './change-hub.js';

/** Notes a committed event for propagation metrics and pushes it to every enforcer. */
export function publishEvent(hub: ChangeHub, registry: EnforcerRegistry, event: ChangeEvent): number {
  registry.noteCommit(event.version, Date.parse(event.at));
  hub.publish(event);
  return event.version;
}
