import type { ErrorCode, EstopError } from './errors.js';

const STATUS: Readonly<Record<ErrorCode, number>> = {
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

const TITLE: Readonly<Record<ErrorCode, string>> = {
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

/**
 * The RFC 9457 problem object for an error, as every estop server (control plane, gateway)
 * sends it as `application/problem+json`: a stable `code`, the message as `detail`, and the
 * error's details.
 */
export function problemOf(
  error: EstopError,
  options: { status?: number | undefined; fields?: Record<string, unknown> | undefined } = {},
): Record<string, unknown> & { status: number } {
  const status = options.status ?? STATUS[error.code];
  return {
    type: `urn:estop:error:${error.code}`,
    title: TITLE[error.code],
    status,
    code: error.code,
    detail: error.message,
    ...error.details,
    ...options.fields,
  };
}
