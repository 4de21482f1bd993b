const UNIT = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)$/;
const BARE = /^\d+(?:\.\d+)?$/;

/**
 * What is wrong with the stop form's "Expires in" text, as the control plane would say it, or
 * undefined when it is blank (never expires) or a number with its unit (`30m`, `4h`, `7d`). A bare
 * number is asked about, never taken as milliseconds: a 30-minute stop must not end at once.
 */
export function expiryProblem(text: string): string | undefined {
  const value = text.trim();
  if (value === '' || UNIT.test(value)) return undefined;
  if (BARE.test(value)) return `${value} what? write ${value}s, ${value}m or ${value}h`;
  return `"${value}" is not a duration; use e.g. 30m, 4h, 7d`;
}
