import { EstopError, problemOf } from '@estop/core';
import { z } from 'zod';

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

// What a 5xx says: never the failure's own text, which may be a store's or a driver's.
const GENERIC_DETAIL: Partial<Record<EstopError['code'], string>> = {
  internal: 'internal error',
  config_invalid: 'internal error',
  unavailable: 'the service is unavailable; try again',
  timeout: 'timed out; try again',
};

/**
 * The error as a client may see it: a 5xx keeps its code and `retryAfterSeconds` but gets a
 * generic detail, so that no store text, query or path leaves the server (it is logged instead).
 */
export function publicError(error: EstopError): EstopError {
  const generic = GENERIC_DETAIL[error.code];
  if (generic === undefined) return error;
  const retryAfterSeconds = error.details?.retryAfterSeconds;
  return new EstopError({
    code: error.code,
    message: generic,
    details: typeof retryAfterSeconds === 'number' ? { retryAfterSeconds } : undefined,
  });
}

/** The RFC 9457 problem response for an error, with its status from `details.status` if set (413). */
export function problemResponse(error: EstopError): Response {
  const status = error.details?.status;
  const problem = problemOf(error, { status: typeof status === 'number' ? status : undefined });
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
