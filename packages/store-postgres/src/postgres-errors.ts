import { DatabaseError } from 'pg';
import { EstopError, isEstopError } from '@estop/core';

// SQLSTATE classes that pass or that an operator fixes: connection exceptions (08), rollbacks from
// serialization failures and deadlocks (40), insufficient resources (53), locks not available (55),
// operator intervention such as a shutdown (57) and system errors (58).
const UNAVAILABLE_CLASSES = new Set(['08', '40', '53', '55', '57', '58']);

/**
 * Turns whatever the driver threw into an EstopError, keeping the original as `cause`. Errors the
 * server reported are `unavailable` or `internal` by their class; anything else from the driver is a
 * connection that failed or timed out, hence `unavailable`.
 */
export function toStoreError(error: unknown): EstopError {
  if (isEstopError(error)) return error;
  const unavailable = !(error instanceof DatabaseError) || UNAVAILABLE_CLASSES.has(error.code?.slice(0, 2) ?? '');
  return new EstopError({
    code: unavailable ? 'unavailable' : 'internal',
    message: `PostgreSQL store: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
