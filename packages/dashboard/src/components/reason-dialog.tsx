import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from './dialog.js';
import { DialogActions } from './dialog-actions.js';
import { ErrorNote } from './error-note.js';

/**
 * A dialog that asks for a reason (every governed action is audited with one), runs `action`
 * with it and shows the outcome in words, or the refusal.
 */
export function ReasonDialog(props: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  children?: ReactNode;
  action: (reason: string) => Promise<ReactNode>;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [outcome, setOutcome] = useState<ReactNode>();
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setOutcome(await props.action(reason.trim()));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      {outcome !== undefined ? (
        <>
          <div className="outcome" role="status">
            {outcome}
          </div>
          <div className="actions">
            <button type="button" className="button-primary" onClick={props.onClose} autoFocus>
              Done
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          {props.children}
          <div className="field">
            <label htmlFor={id}>Reason (required, recorded in the audit log)</label>
            <textarea id={id} rows={2} required value={reason} onChange={(event) => setReason(event.target.value)} />
          </div>
          <ErrorNote error={error} />
          <DialogActions
            onCancel={props.onClose}
            label={props.confirmLabel}
            busyLabel="Working…"
            busy={busy}
            danger={props.danger === true}
          />
        </form>
      )}
    </Dialog>
  );
}
