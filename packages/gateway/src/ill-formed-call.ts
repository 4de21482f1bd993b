import { findIllFormedText, ILL_FORMED_TEXT_MESSAGE, isWellFormedText } from '@estop/core';

/**
 * What is wrong with an agent's call whose tool name or arguments hold a lone UTF-16 surrogate
 * or NUL, or undefined when nothing is. Such text could not be drafted, approved or audited as
 * it was sent (stores keep it as U+FFFD or refuse it), so the gateway refuses the call as bad
 * input before deciding it.
 */
export function illFormedCall(tool: string, args: unknown): string | undefined {
  if (!isWellFormedText(tool)) return `the tool name ${ILL_FORMED_TEXT_MESSAGE}`;
  const path = findIllFormedText(args, 'arguments');
  return path === undefined ? undefined : `${path} ${ILL_FORMED_TEXT_MESSAGE}`;
}
