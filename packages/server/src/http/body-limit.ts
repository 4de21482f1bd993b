import { EstopError } from '@estop/core';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { problemResponse } from './problem.js';

/** The largest request body the control plane takes by default: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** The 413 for a body over `limit` bytes: a problem with code `invalid_request` and status 413. */
export function bodyTooLarge(limit: number): EstopError {
  return new EstopError({
    code: 'invalid_request',
    message: `the request body is larger than ${limit} bytes, the most this server takes`,
    details: { status: 413 },
  });
}

/**
 * Refuses a request body over `limit` bytes with a 413 problem. A declared length is checked
 * before anything is read; a chunked body is counted as it streams and refused once it passes
 * the limit, so no more than `limit` bytes of it are ever held. The connection is closed after
 * the answer: the rest of the body is not read, so the connection cannot carry another request.
 */
export function bodyLimit(limit: number): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: limit,
    onError: () => {
      const response = problemResponse(bodyTooLarge(limit));
      response.headers.set('connection', 'close');
      return response;
    },
  });
}
