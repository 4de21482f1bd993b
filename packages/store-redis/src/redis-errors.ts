import { ReplyError } from 'ioredis';
import { EstopError, isEstopError } from '@estop/core';

// Replies that pass or that an operator fixes: a server loading its data, busy with a script,
// a replica that cannot take writes, a cluster that is down or moving slots.
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

/**
 * Turns whatever ioredis threw into an EstopError, keeping the original as `cause`. An error reply
 * is `internal` unless it is one of the passing kinds; anything else is a connection that failed.
 */
export function toStoreError(error: unknown, what: string): EstopError {
  if (isEstopError(error)) return error;
  // ioredis types ReplyError loosely, so `instanceof` does not narrow: the message is read as Error's.
  const unavailable = !(error instanceof ReplyError) || UNAVAILABLE_REPLY.test((error as Error).message);
  return new EstopError({
    code: unavailable ? 'unavailable' : 'internal',
    message: `${what}: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
