/**
 * The buttons that end a dialog's form: Cancel, which closes it, and the submit button, which
 * reads `busyLabel` (and is disabled) while the action runs, and is disabled while `disabled`
 * (the form does not say yet what the action would do).
 */
export function DialogActions(props: {
  onCancel: () => void;
  label: string;
  busyLabel: string;
  busy: boolean;
  danger: boolean;
  disabled?: boolean;
}) {
  return (
    <div className="actions">
      <button type="button" className="button-quiet" onClick={props.onCancel}>
        Cancel
      </button>
      <button
        type="submit"
        className={props.danger ? 'button-danger' : 'button-primary'}
        disabled={props.busy || props.disabled === true}
      >
        {props.busy ? props.busyLabel : props.label}
      </button>
    </div>
  );
}
