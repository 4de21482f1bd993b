import type { ServerResponse } from 'node:http';
import type { ErrorCode, EstopError } from '@estop/core';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rule_not_found: 404,
  conflict: 409,
  rate_limited: 429,
  config_invalid: 500,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

const TITLE: Record<ErrorCode, string> = {
  invalid_request: 'Invalid request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  rule_not_found: 'Rule not found',
  conflict: 'Conflict',
  rate_limited: 'Too many requests',
  config_invalid: 'Invalid configuration',
  internal: 'Internal error',
  unavailable: 'Unavailable',
  timeout: 'Timed out',
};

/** The HTTP status the gateway answers an error code with, as the control plane does. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** What a problem response says beyond its code and detail. */
export interface ProblemOptions {
  /** Overrides the status the code maps to (405 for a wrong method, 502 for an upstream failure). */
  status?: number | undefined;
  /** Extra members of the problem object, e.g. the mode and rule that denied a call. */
  fields?: Record<string, unknown> | undefined;
  /** Extra response headers, e.g. `allow` for a 405. */
  headers?: Record<string, string> | undefined;
}

/**
 * Answers with an RFC 9457 `application/problem+json` body for `error`. If the response has
 * already started (an upstream failing mid-stream), it can no longer say anything, so the
 * connection is cut instead and the client sees an incomplete response rather than a wrong one.
 */
export function sendProblem(response: ServerResponse, error: EstopError, options: ProblemOptions = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const status = options.status ?? STATUS[error.code];
  const body = JSON.stringify({
    type: `urn:estop:error:${error.code}`,
    title: TITLE[error.code],
    status,
    code: error.code,
    detail: error.message,
    ...error.details,
    ...options.fields,
  });
  response.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    ...options.headers,
  });
  response.end(body);
}
