import { hash } from 'node:crypto';

/**
 * SHA-256 of a string as lowercase hex: the `Sha256` that Node processes inject into stores.
 * Stores under `runStoreConformance` must be built with it, since the suite verifies their chains.
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
