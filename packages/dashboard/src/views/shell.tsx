import { useEffect, useState } from 'react';
import { ConnectionBanner } from '../components/connection-banner.js';
import { useLiveState, useSession } from '../components/session.js';
import { AuditView } from './audit.js';
import { EnforcersView } from './enforcers.js';
import { Home } from './home.js';
import { RulesView } from './rules.js';
import { RunsView } from './runs.js';

const PAGES = [
  { path: '', label: 'Home' },
  { path: 'rules', label: 'Rules' },
  { path: 'enforcers', label: 'Enforcers' },
  { path: 'runs', label: 'Runs & approvals' },
  { path: 'audit', label: 'Audit' },
] as const;

type PagePath = (typeof PAGES)[number]['path'];

function currentPage(): PagePath {
  const wanted = location.hash.replace(/^#\/?/, '');
  return PAGES.find((page) => page.path === wanted)?.path ?? '';
}

/** The signed-in frame: who is signed in, the navigation, the connection banner and one view. */
export function Shell() {
  const { principal, signOut } = useSession();
  const live = useLiveState();
  const [page, setPage] = useState<PagePath>(currentPage);

  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (live.unauthorized) signOut();
  }, [live.unauthorized, signOut]);

  const label = PAGES.find((entry) => entry.path === page)?.label ?? 'Home';
  useEffect(() => {
    document.title = `${label} · estop`;
  }, [label]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/">
          <span className="logo" aria-hidden="true">
            ■
          </span>{' '}
          estop
        </a>
        <nav aria-label="Views">
          <ul>
            {PAGES.map((entry) => (
              <li key={entry.path}>
                <a href={`#/${entry.path}`} aria-current={entry.path === page ? 'page' : undefined}>
                  {entry.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="who-name" data-testid="whoami">
            {principal.name} · <strong>{principal.role}</strong>
            {principal.tenant !== undefined ? <> · tenant {principal.tenant}</> : null}
          </span>
          <button type="button" className="button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1} className={live.status === 'live' ? 'content' : 'content content-stale'}>
        {page === '' ? <Home /> : null}
        {page === 'rules' ? <RulesView /> : null}
        {page === 'enforcers' ? <EnforcersView /> : null}
        {page === 'runs' ? <RunsView /> : null}
        {page === 'audit' ? <AuditView /> : null}
      </main>
    </div>
  );
}
