import { useEffect, useState, type FormEvent } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import { createApi } from '../api/client.js';
import type { Principal } from '../api/types.js';
import { ErrorNote } from '../components/error-note.js';
import { canView } from '../components/permissions.js';

/** Asks for an estop token and checks it with `GET /v1/whoami` before keeping it. */
export function SignIn(props: { onSignedIn: (token: string, principal: Principal) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    performance.mark('estop-interactive');
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const principal = await createApi(token.trim()).get<Principal>(pathTo(ROUTES.whoami));
      if (!canView(principal)) {
        setError(
          new Error(
            `this token is for a machine (role ${principal.role}); sign in with a viewer, operator or admin token`,
          ),
        );
      } else {
        props.onSignedIn(token.trim(), principal);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>
        <span className="logo" aria-hidden="true">
          ■
        </span>{' '}
        estop
      </h1>
      <p>The emergency stop for AI agents. Sign in with an estop token.</p>
      <form onSubmit={submit} className="card">
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="estop_…"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          required
          autoFocus
        />
        <p className="hint">
          Create one with <code>estop tokens create --role operator --name you</code>. It is kept in this tab only
          (session storage) and sent as a bearer header.
        </p>
        <button type="submit" className="button-primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
