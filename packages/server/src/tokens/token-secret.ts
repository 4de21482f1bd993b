import { hash, randomBytes } from 'node:crypto';

/** A new API token secret: `estop_` and 32 random bytes, base64url. */
export function generateTokenSecret(): string {
  return `estop_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 hex. Token secrets are random and long, so a fast hash is the right one to store. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** A short random id with a prefix, e.g. `r_3f9a…` for rules. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
