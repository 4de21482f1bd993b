import { EstopError, type ErrorCode } from './errors.js';

const STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rule_not_found: 404,
  conflict: 409,
  cause_continues: 409,
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
  cause_continues: 'The cause continues',
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

const REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * The raw HTTP/1.1 answer, a problem+json, for what Node's HTTP parser refused before any route
 * saw it (the `code` of a `clientError`): 431 for headers or a URL too large, 408 for a request
 * not received in time, 400 for anything else. Every estop server writes it to the socket, so
 * that not even these are a bare status line.
 *
 * @example
 * server.on('clientError', (error, socket) => socket.end(clientErrorAnswer(error.code)));
 */
export function clientErrorAnswer(parserCode: string | undefined, maxHeaderBytes = 16 * 1024): string {
  const [status, message] =
    parserCode === 'HPE_HEADER_OVERFLOW'
      ? [431, `the request line and headers are larger than ${maxHeaderBytes} bytes`]
      : parserCode === 'HPE_REQUEST_TIMEOUT' || parserCode === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : [400, 'not a well-formed HTTP request'];
  const body = JSON.stringify(problemOf(new EstopError({ code: 'invalid_request', message }), { status }));
  return [
    `HTTP/1.1 ${status} ${REASON[status] ?? ''}`,
    'content-type: application/problem+json',
    `content-length: ${new TextEncoder().encode(body).length}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
