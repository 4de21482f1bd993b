import { useCallback, useEffect, useMemo, useState } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import { createApi } from './api/client.js';
import { LiveConnection } from './api/live.js';
import type { Principal } from './api/types.js';
import { SessionContext, type Session } from './components/session.js';
import { Shell } from './views/shell.js';
import { SignIn } from './views/sign-in.js';

const TOKEN_KEY = 'estop.token';

/** The token lives in sessionStorage only: gone when the tab closes, never in a cookie. */
function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The dashboard: sign-in until a token is accepted, then the views for its role and tenant. */
export function App() {
  const [signedIn, setSignedIn] = useState<{ token: string; principal: Principal } | undefined>();
  const [resuming, setResuming] = useState(() => storedToken() !== undefined);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSignedIn(undefined);
  }, []);

  const accept = useCallback((token: string, principal: Principal) => {
    sessionStorage.setItem(TOKEN_KEY, token);
    setSignedIn({ token, principal });
  }, []);

  useEffect(() => {
    const token = storedToken();
    if (token === undefined) return;
    createApi(token)
      .get<Principal>(pathTo(ROUTES.whoami))
      .then((principal) => accept(token, principal))
      .catch(() => sessionStorage.removeItem(TOKEN_KEY))
      .finally(() => setResuming(false));
  }, [accept]);

  const session = useMemo<Session | undefined>(() => {
    if (signedIn === undefined) return undefined;
    const api = createApi(signedIn.token);
    return { api, principal: signedIn.principal, live: new LiveConnection(api), signOut };
  }, [signedIn, signOut]);

  useEffect(() => {
    if (session === undefined) return undefined;
    session.live.start();
    return () => session.live.close();
  }, [session]);

  if (resuming) return <p className="centered">Signing in…</p>;
  if (session === undefined) return <SignIn onSignedIn={accept} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}
