import { ROUTES, pathTo } from '@estop/client';
import { getAll } from '../api/client.js';
import type { EnforcerView } from '../api/types.js';
import { useResource } from './use-resource.js';

/** `GET /v1/enforcers`, fetched again whenever an enforcer registers, acknowledges or leaves. */
export function useEnforcers() {
  return useResource(['enforcers'], (api) =>
    getAll<{ version: number; enforcers: EnforcerView[] }>(api, pathTo(ROUTES.listEnforcers), 'enforcers'),
  );
}

/** Connected enforcers, and how many of them have applied `version`. */
export function enforcerCounts(enforcers: EnforcerView[] | undefined, version: number | undefined) {
  const connected = (enforcers ?? []).filter((enforcer) => enforcer.connected !== false);
  const applied = connected.filter((enforcer) => version !== undefined && enforcer.version >= version);
  return { connected: connected.length, applied: applied.length };
}
