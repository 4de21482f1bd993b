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

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};

/**
 * The error code a client should assume for an HTTP status when the answer carries none of
 * its own (not problem+json): anything unexpected is `unavailable`.
 */
export function errorCodeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? 'unavailable';
}

/** True when `error` is an EstopError, optionally of the given code. */
export function isEstopError(error: unknown, code?: ErrorCode): error is EstopError {
  return error instanceof EstopError && (code === undefined || error.code === code);
}
