import { ROUTES, pathTo } from '@estop/client';
import { getAll } from '../api/client.js';
import type { SentinelView } from '../api/types.js';
import { useResource, type Resource } from './use-resource.js';

/**
 * The configured sentinels with what they have seen and their standing trips, fetched again
 * when rules change (a trip, a lift) or the audit log grows (a would-trip, so a new peak).
 */
export function useSentinels(): Resource<{ sentinels: SentinelView[] }> {
  return useResource(['rules', 'audit'], (client) =>
    getAll<{ sentinels: SentinelView[] }>(client, pathTo(ROUTES.listSentinels), 'sentinels'),
  );
}
