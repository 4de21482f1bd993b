import { useEffect, useState } from 'react';
import { ROUTES, allAcknowledged, pathTo, runStopStage } from '@estop/client';
import type { Enforcement, Rule, RunRecord } from '../api/types.js';
import { ErrorNote } from './error-note.js';
import { scopeCoversRun } from './scope-match.js';
import { useSession } from './session.js';
import { useRuns } from './use-runs.js';

const WAIT_MS = 5000;

/**
 * How far a new rule has got, told as it converges: the enforcers that applied its version (from
 * the long-polled `GET /v1/versions/:v/enforcement?wait=…&rule=ID`), then the runs it stops:
 * stopped, drained (nothing in flight), terminated, with the stragglers named. Once every
 * connected enforcer has applied it, that figure (how many, how fast) is the stop's and stays:
 * an enforcer leaving or joining later changes only the count connected now.
 */
export function Convergence(props: { rule: Rule; version: number }) {
  const { api, live } = useSession();
  const [enforcement, setEnforcement] = useState<Enforcement | undefined>();
  const [converged, setConverged] = useState<Enforcement | undefined>();
  const [error, setError] = useState<unknown>();
  const [asked, setAsked] = useState(0);
  const runs = useRuns();

  // Long-poll until every connected enforcer has applied the version; afterwards ask again
  // only when the events stream says enforcers or runs changed.
  useEffect(() => {
    let cancelled = false;
    const controller = new AbortController();
    const path = pathTo(ROUTES.enforcement, { version: props.version }, { wait: WAIT_MS, rule: props.rule.id });
    void (async () => {
      for (;;) {
        try {
          const answer = await api.get<Enforcement>(path, controller.signal);
          if (cancelled) return;
          setEnforcement(answer);
          if (answer.total > 0 && allAcknowledged(answer)) setConverged((first) => first ?? answer);
          setError(undefined);
          if (allAcknowledged(answer)) return;
        } catch (caught) {
          if (!cancelled) setError(caught);
          return;
        }
      }
    })();
    return () => {
      cancelled = true;
      controller.abort();
    };
  }, [api, props.rule.id, props.version, asked]);

  useEffect(
    () =>
      live.onTopic((topic) => {
        if (topic === 'runs' || topic === 'enforcers') setAsked((count) => count + 1);
      }),
    [live],
  );

  const straggling = (runs.data?.runs ?? []).filter(
    (run: RunRecord) =>
      scopeCoversRun(props.rule.scope, run) &&
      run.status !== 'ended' &&
      Date.parse(run.startedAt) <= Date.parse(props.rule.createdAt),
  );

  return (
    <div className="convergence" aria-live="polite" aria-atomic="false" data-testid="convergence">
      <p>
        Rule <code>{props.rule.id}</code> is durable at version <strong>{props.version}</strong>.
      </p>
      {enforcement === undefined ? <p>Waiting for enforcers to apply version {props.version}…</p> : null}
      {converged !== undefined && enforcement !== undefined ? (
        <EnforcerLine enforcement={converged} connectedNow={enforcement.total} />
      ) : enforcement !== undefined ? (
        <EnforcerLine enforcement={enforcement} />
      ) : null}
      {enforcement?.runs !== undefined ? (
        <RunsLine enforcement={enforcement} straggling={straggling} />
      ) : enforcement !== undefined ? (
        <p className="muted">
          {props.rule.mode === 'full_stop'
            ? 'Runs keep going; calls to the stopped tools are refused.'
            : 'Runs keep going; calls this mode takes away are refused.'}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}

function EnforcerLine(props: { enforcement: Enforcement; connectedNow?: number }) {
  const { acknowledged, total, ms, pending } = props.enforcement;
  if (total === 0) {
    return (
      <p className="status-warn" data-testid="enforced">
        No enforcer is connected: nothing enforces this rule yet. Enforcers apply it when they connect.
      </p>
    );
  }
  if (allAcknowledged(props.enforcement)) {
    return (
      <p className="status-ok" data-testid="enforced">
        Enforced on {acknowledged}/{total} enforcers{ms !== undefined ? ` in ${ms} ms` : ''}.
        {props.connectedNow !== undefined && props.connectedNow !== total ? (
          <span className="muted" data-testid="connected-now">
            {' '}
            ({props.connectedNow} connected now)
          </span>
        ) : null}
      </p>
    );
  }
  return (
    <div className="status-warn" data-testid="enforced">
      <p>
        Applied by {acknowledged}/{total} enforcers so far. Waiting for:
      </p>
      <ul>
        {pending.map((enforcer) => (
          <li key={enforcer.id}>
            {enforcer.name} <span className="muted">(at version {enforcer.version})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function RunsLine(props: { enforcement: Enforcement; straggling: RunRecord[] }) {
  const runs = props.enforcement.runs;
  if (runs === undefined) return null;
  if (runs.affected === 0) return <p className="muted">No live run matched this rule.</p>;
  const drained = runs.inFlight === 0;
  const done = runStopStage(runs) === 'terminated';
  return (
    <div className={done ? 'status-ok' : 'status-warn'} data-testid="runs-converged">
      <p>
        Runs: {runs.stopped}/{runs.affected} stopped · {drained ? 'drained' : `${runs.inFlight} calls still in flight`}{' '}
        · {runs.terminated}/{runs.affected} terminated.
      </p>
      {!done && props.straggling.length > 0 ? (
        <p>
          Still running:{' '}
          {props.straggling.map((run) => (
            <span key={run.id} className="straggler">
              <code>{run.id}</code>
              {run.inFlight.length > 0 ? ` (${run.inFlight.map((call) => call.tool).join(', ')})` : ''}{' '}
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}
