import { EstopError } from '@estop/core';
import type { HttpBindings } from '@hono/node-server';
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
 * A request that declares its length (or has no body) is checked on Node's own request, without
 * the Fetch `Request` that counting a stream needs: Node reads no more than the declared length
 * as its body, and building that `Request` costs more than many a route.
 */
export function bodyLimit(limit: number): MiddlewareHandler {
  const refuse = () => {
    const response = problemResponse(bodyTooLarge(limit));
    response.headers.set('connection', 'close');
    return response;
  };
  const counted = honoBodyLimit({ maxSize: limit, onError: refuse });
  return async (context, next) => {
    const incoming = (context.env as Partial<HttpBindings> | undefined)?.incoming;
    if (incoming === undefined || incoming.headers['transfer-encoding'] !== undefined) return counted(context, next);
    if (Number(incoming.headers['content-length'] ?? 0) > limit) return refuse();
    await next();
  };
}
