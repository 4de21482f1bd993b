/** What `guard.execute` takes besides the call, its arguments and its function. */
export interface ExecuteOptions<Result = unknown> {
  /**
   * Aborts the waits of a governed write (for an operator's approval, for a duplicate's
   * first result) with its reason. It is not passed to the function; give it that yourself.
   */
  signal?: AbortSignal | undefined;
  /**
   * The write's idempotency key. Default: the control plane derives one from tenant, tool and
   * arguments, so the same call with the same arguments is the same write.
   */
  idempotencyKey?: string | undefined;
  /**
   * False when a repeat of this write is harmless (the tool says it is idempotent): it runs
   * every time and claims no idempotency key. Default true: writes are deduped per the guard's
   * `idempotency` options.
   */
  dedupe?: boolean | undefined;
  /** How long an `approval_gated` write waits for a decision. Default: the guard's `approvalTimeoutMs`. */
  approvalTimeoutMs?: number | undefined;
  /**
   * The JSON kept for duplicates of this write. Default: the result itself (undefined as
   * null). If it throws, or the result is not JSON (a BigInt, a cycle, a function), the key is
   * released: the result is returned, but a repeat of the write runs again.
   */
  record?: ((result: Result) => unknown) | undefined;
  /** Turns the JSON kept by `record` back into a result for a duplicate. Default: the JSON as it is. */
  replay?: ((stored: unknown) => Result) | undefined;
}
