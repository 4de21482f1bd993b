import { useCallback, useEffect, useRef, useState } from 'react';
import { isNetworkError, type Api } from '../api/client.js';
import type { Topic } from '../api/types.js';
import { useSession } from './session.js';

/** A fetched view of something on the control plane, fetched again whenever its topics change. */
export interface Resource<T> {
  data?: T | undefined;
  error?: Error | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load(api)` once, then again each time `GET /v1/events` names one of `topics`: the
 * stream says when, so nothing polls. One request at a time; a change announced during a
 * request causes one more after it.
 */
export function useResource<T>(topics: readonly Topic[], load: (api: Api) => Promise<T>, enabled = true): Resource<T> {
  const { api, live } = useSession();
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: enabled });
  const loadRef = useRef(load);
  loadRef.current = load;
  const running = useRef(false);
  const again = useRef(false);
  const mounted = useRef(true);

  const fetchNow = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    do {
      again.current = false;
      try {
        const data = await loadRef.current(api);
        if (mounted.current) setState({ data, loading: false });
      } catch (error) {
        if (isNetworkError(error)) live.reportUnreachable();
        if (mounted.current) setState((previous) => ({ ...previous, error: error as Error, loading: false }));
      }
    } while (again.current && mounted.current);
    running.current = false;
  }, [api, live]);

  const key = topics.join(',');
  useEffect(() => {
    mounted.current = true;
    if (!enabled) return undefined;
    void fetchNow();
    const wanted = new Set(key.split(','));
    const unsubscribe = live.onTopic((topic) => {
      if (wanted.has(topic)) void fetchNow();
    });
    return () => {
      mounted.current = false;
      unsubscribe();
    };
  }, [key, enabled, fetchNow, live]);

  return { ...state, reload: () => void fetchNow() };
}
