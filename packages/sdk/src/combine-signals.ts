/**
 * One signal that aborts when the run's call signal or the framework's own signal does, so a
 * tool stops for either a kill or the caller cancelling the agent. The first to abort gives
 * its reason.
 */
export function combineSignals(callSignal: AbortSignal, frameworkSignal: AbortSignal | undefined): AbortSignal {
  return frameworkSignal === undefined ? callSignal : AbortSignal.any([callSignal, frameworkSignal]);
}
