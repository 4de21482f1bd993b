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

/** The RFC 9457 problem response for an error. */
export function problemResponse(error: EstopError): Response {
  const problem = problemOf(error);
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
