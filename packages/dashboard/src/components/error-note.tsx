import { statusOf } from '../api/client.js';

/** An error from the API, in words, with its code; nothing when there is none. */
export function ErrorNote(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  const error = props.error;
  const status = statusOf(error);
  const text =
    status !== undefined
      ? `${(error as Error).message} (${(error as { code: string }).code}${status > 0 ? `, ${status}` : ''})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
