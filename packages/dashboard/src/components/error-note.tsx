import { ApiError } from '../api/client.js';

/** An error from the API, in words, with its code; nothing when there is none. */
export function ErrorNote(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  const error = props.error;
  const text =
    error instanceof ApiError
      ? `${error.message} (${error.code}${error.status > 0 ? `, ${error.status}` : ''})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
