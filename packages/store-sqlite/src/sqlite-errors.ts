import { EstopError, isEstopError } from '@estop/core';

// Conditions that pass or that an operator fixes (a lock held too long, a full or read-only disk),
// as opposed to a bug; the server answers the first kind with 503 so callers retry.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOLFS)/;

/** Turns whatever SQLite threw into an EstopError, keeping the original as `cause`. */
export function toStoreError(error: unknown): EstopError {
  if (isEstopError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const unavailable = typeof code === 'string' && UNAVAILABLE.test(code);
  return new EstopError({
    code: unavailable ? 'unavailable' : 'internal',
    message: `SQLite store: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
