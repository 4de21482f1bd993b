import { ERROR_CODES, EstopError, errorCodeForStatus, type ErrorCode } from '@estop/core';

/** What a refusal from the control plane says: its code, its words, and the whole problem object. */
export interface DecodedProblem {
  /** The problem's own `code` when it is one of estop's, otherwise the one its status implies. */
  code: ErrorCode;
  detail: string | undefined;
  title: string | undefined;
  /** Every field of the `application/problem+json` body; empty when the body was not JSON. */
  problem: Record<string, unknown>;
}

/**
 * Reads a non-2xx answer, ideally `application/problem+json` (RFC 9457), into its code and words.
 * A body that is not JSON (a proxy's HTML page, say) falls back to what the status implies.
 */
export function decodeProblem(status: number, text: string): DecodedProblem {
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      problem = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the status says enough.
  }
  const stated = problem.code;
  const code: ErrorCode =
    typeof stated === 'string' && (ERROR_CODES as readonly string[]).includes(stated)
      ? (stated as ErrorCode)
      : errorCodeForStatus(status);
  const detail = typeof problem.detail === 'string' && problem.detail !== '' ? problem.detail : undefined;
  const title = typeof problem.title === 'string' && problem.title !== '' ? problem.title : undefined;
  return { code, detail, title, problem };
}

/**
 * Maps a non-2xx answer to an EstopError carrying its code, its detail as the message, and the
 * problem's fields (with `status`) as details; `missingTokenHint` is appended to an
 * `unauthorized` refusal of a request that carried no token, `refusedTokenHint` to a `forbidden`
 * refusal of one that carried a token.
 *
 * @example
 * if (!response.ok) throw problemError(response, await response.text());
 */
export function problemError(
  response: { status: number; statusText: string },
  text: string,
  options: { missingTokenHint?: string | undefined; refusedTokenHint?: string | undefined } = {},
): EstopError {
  const { code, detail, title, problem } = decodeProblem(response.status, text);
  let message = detail ?? title ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (code === 'unauthorized' && options.missingTokenHint !== undefined) message += `; ${options.missingTokenHint}`;
  if (code === 'forbidden' && options.refusedTokenHint !== undefined) message += `; ${options.refusedTokenHint}`;
  return new EstopError({
    code,
    message,
    details: { ...problem, status: response.status, type: problem.type, title, detail, issues: problem.issues },
  });
}
