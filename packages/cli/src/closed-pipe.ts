/** A stream that can report a failed write, as `process.stdout` does. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Treats a closed pipe on `stream` (`estop kill … | head -1`) as a normal end: the reader has
 * what it wanted, so later writes are dropped and the command's own exit code stands. Any other
 * write error is rethrown, as it would be without a listener.
 *
 * @example
 * ignoreClosedPipe(process.stdout);
 */
export function ignoreClosedPipe(stream: ErrorEmitter): void {
  stream.on('error', (error) => {
    if ((error as { code?: unknown }).code === 'EPIPE') return;
    throw error;
  });
}
