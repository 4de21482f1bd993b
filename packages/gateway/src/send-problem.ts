import type { ServerResponse } from 'node:http';
import { problemOf, type EstopError } from '@estop/core';

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
  const problem = problemOf(error, options);
  const body = JSON.stringify(problem);
  response.writeHead(problem.status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    ...options.headers,
  });
  response.end(body);
}
