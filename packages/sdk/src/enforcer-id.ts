import type { EnforcerKind } from '@estop/core';

/**
 * A fresh enforcer id such as `sdk_3f9a0c1d2e4b5a67`: the kind, then 64 random bits in hex.
 * Each guard gets its own, so two workers on one host are told apart by `estop verify`.
 */
export function createEnforcerId(kind: EnforcerKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `${kind}_${hex}`;
}
