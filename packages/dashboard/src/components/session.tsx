import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Api } from '../api/client.js';
import type { LiveConnection, LiveState } from '../api/live.js';
import type { Principal } from '../api/types.js';

/** The signed-in operator: the API client for their token, who they are, and the live connection. */
export interface Session {
  api: Api;
  principal: Principal;
  live: LiveConnection;
  signOut(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The session of the signed-in operator; views render only inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The live connection's state, re-rendering on every change. */
export function useLiveState(): LiveState {
  const { live } = useSession();
  return useSyncExternalStore(live.subscribe, live.getState);
}
