import { useState } from 'react';
import { MODES, type Rule } from '../api/types.js';
import { actorLabel, ago, describeScope, modeLabel, scopeKind } from '../components/format.js';
import { canStop } from '../components/permissions.js';
import { rulesInForce } from '../components/rule-timing.js';
import { useLiveState, useSession } from '../components/session.js';
import { enforcerCounts, useEnforcers } from '../components/use-enforcers.js';
import { useNow } from '../components/use-now.js';
import type { ScopeKind } from '../components/stop-scope.js';
import { StopDialog } from './stop-dialog.js';

const KINDS = ['global', 'tenant', 'agent', 'run', 'tool'] as const;

const OFFLINE = 'Not connected to the control plane: the switch can be pressed again once the connection is back.';

/** The state in one sentence: what is stopped, or that nothing is, and only when current. */
function Headline(props: { rules: Rule[] | undefined; current: boolean }) {
  if (!props.current || props.rules === undefined) {
    return (
      <p className="headline headline-unknown" data-testid="headline">
        State unknown: not connected to the control plane.
      </p>
    );
  }
  const global = props.rules.filter((rule) => scopeKind(rule.scope) === 'global');
  if (global.length > 0) {
    const mode = MODES.filter((candidate) => global.some((rule) => rule.mode === candidate)).at(-1) ?? 'full_stop';
    return (
      <p className="headline headline-stopped" data-testid="headline">
        Global stop in force: {modeLabel(mode)}.
      </p>
    );
  }
  if (props.rules.length > 0) {
    return (
      <p className="headline headline-partial" data-testid="headline">
        {props.rules.length} active {props.rules.length === 1 ? 'rule' : 'rules'}:{' '}
        {props.rules
          .slice(0, 3)
          .map((rule) => `${describeScope(rule.scope)} ${modeLabel(rule.mode)}`)
          .join('; ')}
        {props.rules.length > 3 ? '; …' : ''}
      </p>
    );
  }
  return (
    <p className="headline headline-clear" data-testid="headline">
      No stops in force: agents run normally.
    </p>
  );
}

/**
 * The full stop that already holds the switch's own scope (everything, or the bound tenant), so
 * that the switch can show itself pressed. Only asked of a current state: while disconnected the
 * switch is shown unpressed but cannot be pressed.
 */
function holdingStop(rules: Rule[], tenant: string | undefined): Rule | undefined {
  return rules.find(
    (rule) =>
      rule.mode === 'full_stop' &&
      (scopeKind(rule.scope) === 'global' ||
        (tenant !== undefined && scopeKind(rule.scope) === 'tenant' && rule.scope.tenant === tenant)),
  );
}

/** Home: the big red switch and the state at a glance. */
export function Home() {
  const { principal } = useSession();
  const live = useLiveState();
  const enforcers = useEnforcers();
  const [stopping, setStopping] = useState<{ kind: ScopeKind } | undefined>();
  const now = useNow();
  // Scheduled stops are pushed before they start; like enforcers, the page counts one from its start.
  const rules = live.snapshot === undefined ? undefined : rulesInForce(live.snapshot.rules, now);
  const scheduled = (live.snapshot?.rules.length ?? 0) - (rules?.length ?? 0);
  const current = live.status === 'live';
  const counts = enforcerCounts(enforcers.data?.enforcers, live.snapshot?.version);
  const bound = principal.tenant;
  const held = current && rules !== undefined ? holdingStop(rules, bound) : undefined;
  const switchScope = bound === undefined ? 'all agents, everywhere' : `every agent of ${bound}`;

  const cell = (kind: (typeof KINDS)[number], mode: (typeof MODES)[number]) =>
    (rules ?? []).filter((rule) => scopeKind(rule.scope) === kind && rule.mode === mode).length;

  return (
    <div className="home">
      <section className="switch-panel" aria-labelledby="switch-title">
        <h1 id="switch-title" className="visually-hidden">
          Emergency stop
        </h1>
        <Headline rules={rules} current={current} />
        {canStop(principal) ? (
          <>
            {held === undefined ? (
              <>
                {/* Dimmed and not pressable while the page is not current; the note says why. */}
                <button
                  type="button"
                  className="big-red"
                  data-testid="big-red"
                  disabled={!current}
                  title={current ? undefined : OFFLINE}
                  aria-describedby={current ? undefined : 'switch-offline'}
                  onClick={() => setStopping({ kind: bound === undefined ? 'global' : 'tenant' })}
                >
                  <span className="big-red-label">STOP</span>
                  <span className="big-red-scope">{switchScope}</span>
                </button>
                {!current ? (
                  <p id="switch-offline" className="switch-offline" data-testid="switch-offline">
                    {OFFLINE}
                  </p>
                ) : null}
              </>
            ) : (
              <>
                <a className="big-red big-red-held" data-testid="big-red" href="#/rules" aria-describedby="held-by">
                  <span className="big-red-label">STOPPED</span>
                  <span className="big-red-scope">{switchScope}</span>
                </a>
                <p id="held-by" data-testid="held-by">
                  Full stop on <code>{describeScope(held.scope)}</code> made {ago(held.createdAt, now)} by{' '}
                  {actorLabel(held.actor)}: “{held.reason}”. Restoring is on the Rules page.
                </p>
              </>
            )}
            <button type="button" className="button-secondary" onClick={() => setStopping({ kind: 'tenant' })}>
              Stop a tenant, agent, run or tool…
            </button>
          </>
        ) : (
          <p className="muted" data-testid="no-stop">
            Your role ({principal.role}) can watch but not stop. Stopping needs an operator or admin token.
          </p>
        )}
      </section>

      <section className="glance" aria-label="State at a glance">
        <div className={current ? 'stat' : 'stat stat-stale'}>
          <span className="stat-label">State version</span>
          <span className="stat-value" data-testid="version">
            {live.snapshot?.version ?? '—'}
          </span>
          {!current ? <span className="stat-note">not current</span> : null}
        </div>
        <div className={current ? 'stat' : 'stat stat-stale'}>
          <span className="stat-label">Enforcers connected</span>
          <span className="stat-value" data-testid="enforcers-connected">
            {enforcers.data === undefined ? '—' : counts.connected}
          </span>
        </div>
        <div className={current ? 'stat' : 'stat stat-stale'}>
          <span className="stat-label">Applied the latest version</span>
          <span
            className={`stat-value ${counts.applied < counts.connected ? 'text-warn' : ''}`}
            data-testid="enforcers-applied"
          >
            {enforcers.data === undefined ? '—' : `${counts.applied}/${counts.connected}`}
          </span>
        </div>
      </section>

      <section aria-labelledby="rules-by-scope">
        <h2 id="rules-by-scope">Active rules by scope and mode</h2>
        <div className="table-wrap">
          <table className="matrix">
            <thead>
              <tr>
                <th scope="col">Scope</th>
                {MODES.map((mode) => (
                  <th scope="col" key={mode} className="num">
                    {modeLabel(mode)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {KINDS.map((kind) => (
                <tr key={kind}>
                  <th scope="row">{kind}</th>
                  {MODES.map((mode) => {
                    const count = cell(kind, mode);
                    return (
                      <td key={mode} className={count > 0 ? `num count mode-${mode}` : 'num count zero'}>
                        {rules === undefined ? '—' : count}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {scheduled > 0 ? (
          <p className="muted" data-testid="scheduled-count">
            {scheduled} scheduled {scheduled === 1 ? 'stop' : 'stops'} not yet in force (not counted above).
          </p>
        ) : null}
        <p>
          <a href="#/rules">All active rules →</a>
        </p>
      </section>

      {stopping !== undefined ? (
        <StopDialog
          initial={{ kind: stopping.kind, mode: 'full_stop', tenant: bound }}
          onClose={() => setStopping(undefined)}
        />
      ) : null}
    </div>
  );
}
