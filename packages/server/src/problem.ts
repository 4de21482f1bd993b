import { EstopError, type ErrorCode } from '@estop/core';
import { z } from 'zod';

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

/** Turns a zod failure into an `invalid_request` error whose message names each bad field. */
export function invalidRequest(error: z.ZodError, where = 'body'): EstopError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const detail = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  return new EstopError({ code: 'invalid_request', message: `${where}: ${detail.join('; ')}`, details: { issues } });
}

/** Any thrown value as an EstopError; unknown errors become `internal` without leaking their text. */
export function toEstopError(error: unknown): EstopError {
  if (error instanceof EstopError) return error;
  if (error instanceof z.ZodError) return invalidRequest(error);
  return new EstopError({ code: 'internal', message: 'internal error', cause: error });
}

/** The RFC 9457 problem response for an error. */
export function problemResponse(error: EstopError): Response {
  const status = STATUS[error.code];
  const body = {
    type: `urn:estop:error:${error.code}`,
    title: TITLE[error.code],
    status,
    code: error.code,
    detail: error.message,
    ...error.details,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
