/** The closed set of error codes; the server maps each to an HTTP status. */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'rule_not_found',
  'conflict',
  'cause_continues',
  'rate_limited',
  'unavailable',
  'timeout',
  'config_invalid',
  'internal',
] as const;

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The mark every estop error carries. `Symbol.for` gives the same symbol to every copy of core
 * in one application, so an error made by one copy is recognised by another.
 */
const ESTOP_ERROR_MARKER = Symbol.for('estop.error');

function hasEstopMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ESTOP_ERROR_MARKER] === true;
}

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

  /** The mark, on the prototype: spreading or cloning an error into a plain object does not copy it. */
  private get [ESTOP_ERROR_MARKER](): true {
    return true;
  }

  /**
   * `error instanceof EstopError` is decided by the marker, so it holds for an error from another
   * copy of core too; a subclass (`RunStoppedError`) keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === EstopError) return hasEstopMarker(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
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

/**
 * True when `error` is an EstopError, optionally of the given code. It is recognised by its
 * marker, not its class, so two copies of core in one application agree.
 */
export function isEstopError(error: unknown, code?: ErrorCode): error is EstopError {
  return hasEstopMarker(error) && (code === undefined || (error as EstopError).code === code);
}
