import { useId, useState, type FormEvent } from 'react';
import { ROUTES, pathTo } from '@estop/client';
import { MODES, MODE_TABLE, type Mode, type Rule } from '../api/types.js';
import { Convergence } from '../components/convergence.js';
import { Dialog } from '../components/dialog.js';
import { DialogActions } from '../components/dialog-actions.js';
import { ErrorNote } from '../components/error-note.js';
import { describeScope, modeLabel } from '../components/format.js';
import { isLive, scopeCoversRun } from '../components/scope-match.js';
import { useLiveState, useSession } from '../components/session.js';
import { expiryProblem } from '../components/expiry-input.js';
import { enforcerCounts, useEnforcers } from '../components/use-enforcers.js';
import { useRuns } from '../components/use-runs.js';
import { missingName, scopeOf, type ScopeFields, type ScopeKind } from '../components/stop-scope.js';

/** The modes to choose from, most restrictive first. */
const CHOICES: readonly Mode[] = [...MODES].reverse();

/** The form's fields. */
interface StopForm extends ScopeFields {
  mode: Mode;
  reason: string;
  expiresIn: string;
  cancelInFlight: boolean;
}

/**
 * Creates a rule: scope, mode, reason (required), optional expiry and cancel-in-flight. Before it
 * is confirmed it says what will be pulled (connected enforcers, live runs that match); after,
 * it shows the stop converging.
 */
export function StopDialog(props: { initial: { kind: ScopeKind; mode: Mode; tenant?: string }; onClose: () => void }) {
  const { api, principal } = useSession();
  const live = useLiveState();
  const bound = principal.tenant;
  const [form, setForm] = useState<StopForm>({
    kind: bound !== undefined && props.initial.kind === 'global' ? 'tenant' : props.initial.kind,
    tenant: bound ?? props.initial.tenant ?? '',
    agent: '',
    run: '',
    tool: '',
    mode: props.initial.mode,
    reason: '',
    expiresIn: '',
    cancelInFlight: props.initial.mode === 'full_stop',
  });
  const [cancelTouched, setCancelTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<{ rule: Rule; version: number } | undefined>();
  const enforcers = useEnforcers();
  const runs = useRuns();
  const ids = { reason: useId(), expires: useId(), tenant: useId(), name: useId(), cancel: useId() };

  const set = <K extends keyof StopForm>(key: K, value: StopForm[K]) =>
    setForm((previous) => ({ ...previous, [key]: value }));
  const scope = scopeOf(form);
  const missing = missingName(form);
  const counts = enforcerCounts(enforcers.data?.enforcers, live.snapshot?.version);
  const matching = (runs.data?.runs ?? []).filter((run) => isLive(run) && scopeCoversRun(scope, run));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, unknown> = { scope, mode: form.mode, reason: form.reason.trim() };
      if (form.expiresIn.trim() !== '') body.expiresIn = form.expiresIn.trim();
      if (form.cancelInFlight) body.cancelInFlight = true;
      const answer = await api.post<{ rule: Rule; version: number }>(pathTo(ROUTES.createRule), body);
      setCreated(answer.body);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (created !== undefined) {
    return (
      <Dialog
        title={`Stopped ${describeScope(created.rule.scope)}: ${modeLabel(created.rule.mode)}`}
        onClose={props.onClose}
        wide
      >
        <Convergence rule={created.rule} version={created.version} />
        <div className="actions">
          <button type="button" className="button-primary" onClick={props.onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  const named = {
    tenant: 'Tenant name',
    agent: 'Agent name',
    run: 'Run id',
    tool: 'Tool name or glob (e.g. email.*)',
  } as const;
  return (
    <Dialog title="Stop agents" onClose={props.onClose} wide>
      <form onSubmit={submit} className="stop-form">
        <fieldset>
          <legend>Scope</legend>
          <div className="choices">
            {(['global', 'tenant', 'agent', 'run', 'tool'] as const).map((kind) => (
              <label key={kind} className="choice">
                <input
                  type="radio"
                  name="kind"
                  value={kind}
                  checked={form.kind === kind}
                  disabled={kind === 'global' && bound !== undefined}
                  onChange={() => set('kind', kind)}
                />
                {kind === 'global'
                  ? 'Global (everything)'
                  : kind === 'tool'
                    ? 'Tool'
                    : kind[0]?.toUpperCase() + kind.slice(1)}
              </label>
            ))}
          </div>
          {form.kind !== 'global' ? (
            <div className="field">
              <label htmlFor={ids.tenant}>Tenant name{form.kind === 'tenant' ? '' : ' (optional)'}</label>
              <input
                id={ids.tenant}
                value={form.tenant}
                readOnly={bound !== undefined}
                required={form.kind === 'tenant' || bound !== undefined}
                onChange={(event) => set('tenant', event.target.value)}
              />
              {bound !== undefined ? <p className="hint">Your token is bound to tenant {bound}.</p> : null}
            </div>
          ) : null}
          {form.kind === 'agent' || form.kind === 'run' || form.kind === 'tool' ? (
            <div className="field">
              <label htmlFor={ids.name}>{named[form.kind]}</label>
              <input
                id={ids.name}
                value={form[form.kind]}
                required
                onChange={(event) => set(form.kind as 'agent', event.target.value)}
              />
            </div>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>Mode</legend>
          <div className="modes">
            {CHOICES.map((mode) => (
              <label key={mode} className={`mode-choice mode-${mode}`}>
                <input
                  type="radio"
                  name="mode"
                  value={mode}
                  checked={form.mode === mode}
                  onChange={() => {
                    set('mode', mode);
                    // Until the operator decides, cancelling in-flight calls follows the mode.
                    if (!cancelTouched) set('cancelInFlight', mode === 'full_stop');
                  }}
                />
                <span>
                  <strong>{modeLabel(mode)}</strong> — {MODE_TABLE[mode].meaning}
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={ids.reason}>Reason (required, recorded in the audit log)</label>
          <textarea
            id={ids.reason}
            required
            rows={2}
            value={form.reason}
            onChange={(event) => set('reason', event.target.value)}
          />
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor={ids.expires}>Expires in (optional, e.g. 30m, 4h)</label>
            <input
              id={ids.expires}
              value={form.expiresIn}
              placeholder="never"
              aria-invalid={expiryProblem(form.expiresIn) !== undefined}
              onChange={(event) => {
                // The browser refuses to submit while the text says nothing about its unit.
                event.target.setCustomValidity(expiryProblem(event.target.value) ?? '');
                set('expiresIn', event.target.value);
              }}
            />
          </div>
          <label className="check" htmlFor={ids.cancel}>
            <input
              id={ids.cancel}
              type="checkbox"
              checked={form.cancelInFlight}
              onChange={(event) => {
                setCancelTouched(true);
                set('cancelInFlight', event.target.checked);
              }}
            />
            Cancel calls already in flight
          </label>
        </div>
        <section className="preview" aria-label="What will be pulled" data-testid="stop-preview">
          <h3>What this pulls</h3>
          {missing !== undefined ? (
            <p data-testid="stop-missing">{missing}: until then this stops nothing.</p>
          ) : (
            <>
              <p>
                <strong>{describeScope(scope)}</strong> → <strong>{modeLabel(form.mode)}</strong>:{' '}
                {MODE_TABLE[form.mode].meaning}.
              </p>
              <ul>
                <li>
                  {counts.connected} connected {counts.connected === 1 ? 'enforcer applies' : 'enforcers apply'} it
                  {counts.connected === 0 ? ' — none is connected, so nothing enforces it until one connects' : ''}.
                </li>
                <li>
                  {matching.length} live {matching.length === 1 ? 'run matches' : 'runs match'}
                  {matching.length > 0
                    ? `: ${matching
                        .slice(0, 5)
                        .map((run) => run.id)
                        .join(', ')}${matching.length > 5 ? ', …' : ''}`
                    : ''}
                  {form.mode === 'full_stop' && form.kind !== 'tool' && matching.length > 0
                    ? ' (they will be stopped)'
                    : ''}
                  .
                </li>
              </ul>
            </>
          )}
          {live.status !== 'live' ? <p className="error">Not connected: these counts may not be current.</p> : null}
        </section>
        <ErrorNote error={error} />
        <DialogActions
          onCancel={props.onClose}
          label={missing === undefined ? `Stop ${describeScope(scope)}` : `Stop ${form.kind}`}
          busyLabel="Stopping…"
          busy={busy}
          disabled={missing !== undefined}
          danger
        />
      </form>
    </Dialog>
  );
}
