import type { ServerResponse } from 'node:http';
import { EstopError, isEstopError, problemOf, type ErrorCode } from '@estop/core';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  unavailable: 503,
  timeout: 504,
};

/**
 * Answers an MCP HTTP request the gateway refused before it reached a session, as
 * `application/problem+json` (RFC 9457) in the control plane's shape (with its `code`). Errors
 * other than EstopError are not described.
 */
export function writeMcpProblem(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const known = isEstopError(error) ? error : new EstopError({ code: 'internal', message: 'internal error' });
  const status = STATUS[known.code] ?? 500;
  const body = problemOf(known, { status });
  response.writeHead(status, {
    'content-type': 'application/problem+json',
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  response.end(JSON.stringify(body));
}
