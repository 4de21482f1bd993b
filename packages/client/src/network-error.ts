import { EstopError, isEstopError } from '@estop/core';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

function networkCodes(error: unknown): string[] {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause === undefined || cause === null) return [];
  const codes: string[] = [];
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') codes.push(code);
  const nested = (cause as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const innerCode = (inner as { code?: unknown } | undefined)?.code;
      if (typeof innerCode === 'string') codes.push(innerCode);
    }
  }
  return codes;
}

/**
 * Maps a failed fetch (nothing came back) to an EstopError: `timeout` when the time limit passed,
 * otherwise `unavailable`, saying what to check. `details.status` is 0: no answer came.
 */
export function networkError(url: string, error: unknown, limitMs: number): EstopError {
  const details = { status: 0 };
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new EstopError({
      code: 'timeout',
      message: `the control plane at ${url} did not answer within ${limitMs} ms`,
      cause: error,
      details,
    });
  }
  const codes = networkCodes(error);
  if (codes.includes('ECONNREFUSED')) {
    return new EstopError({
      code: 'unavailable',
      message: `cannot reach the control plane at ${url}: is \`estop serve\` running?`,
      cause: error,
      details,
    });
  }
  const known = codes.find((code) => UNREACHABLE_CODES.has(code));
  const reason =
    known ??
    (error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
  return new EstopError({
    code: 'unavailable',
    message: `cannot reach the control plane at ${url} (${reason}): is the URL right and \`estop serve\` running?`,
    cause: error,
    details,
  });
}

/** True when `error` says the control plane could not be reached at all, rather than that it refused. */
export function isNetworkError(error: unknown): boolean {
  return isEstopError(error) && error.details?.status === 0;
}
