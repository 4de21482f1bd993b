import type { RunRecord } from '../api/types.js';
import { useResource } from './use-resource.js';

/** `GET /v1/runs`, fetched again whenever a run starts, beats, stops or ends. */
export function useRuns() {
  return useResource(['runs'], (api) => api.get<{ runs: RunRecord[] }>('/v1/runs'));
}
