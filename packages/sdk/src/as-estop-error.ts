import { EstopError, isEstopError, type ErrorCode } from '@estop/core';

/** `error` itself if it is an EstopError, otherwise one with `code` that keeps it as the cause. */
export function asEstopError(error: unknown, code: ErrorCode, context: string): EstopError {
  if (isEstopError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new EstopError({ code, message: `${context}: ${detail}`, cause: error });
}
