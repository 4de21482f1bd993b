import { ROUTES, pathTo } from '@estop/client';
import { getAll } from '../api/client.js';
import type { RunRecord } from '../api/types.js';
import { useResource } from './use-resource.js';

/** `GET /v1/runs`, fetched again whenever a run starts, beats, stops or ends. */
export function useRuns() {
  return useResource(['runs'], (api) => getAll<{ runs: RunRecord[] }>(api, pathTo(ROUTES.listRuns), 'runs'));
}
