import type { CallDeniedError } from './run-stopped-error.js';

/**
 * What a model reads as the output of a call the guard refused, or of one a `cancelInFlight`
 * rule cancelled while it ran: plain words and the refusal itself, so it can tell the user or
 * try something else rather than retry.
 */
export function refusalMessage(error: CallDeniedError, started: boolean): string {
  return `${started ? 'This call was cancelled while it ran' : 'This call was refused and did not run'}: ${error.message}`;
}
