/** The closed set of error codes; the server maps each to an HTTP status. */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'rule_not_found',
  'conflict',
  'rate_limited',
  'unavailable',
  'timeout',
  'config_invalid',
  'internal',
] as const;

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error type estop throws; `code` says what went wrong, `details` carry specifics. */
export class EstopError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(options: { code: ErrorCode; message: string; cause?: unknown; details?: Record<string, unknown> }) {
    super(options.message, { cause: options.cause });
    this.name = 'EstopError';
    this.code = options.code;
    this.details = options.details;
  }
}

/** True when `error` is an EstopError, optionally of the given code. */
export function isEstopError(error: unknown, code?: ErrorCode): error is EstopError {
  return error instanceof EstopError && (code === undefined || error.code === code);
}
