/**
 * Polls `condition` until it holds, failing with `what` after a deadline generous enough for
 * a loaded CI machine. Tests wait for conditions, never for fixed times.
 */
export async function waitFor(what: string, condition: () => boolean, deadlineMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
