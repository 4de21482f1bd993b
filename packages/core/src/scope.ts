/**
 * What a rule applies to. Every named dimension must match the call; the empty scope is global.
 * `tool` may be a glob (`browser.*`, `*.send`).
 */
export interface Scope {
  tenant?: string | undefined;
  agent?: string | undefined;
  run?: string | undefined;
  tool?: string | undefined;
}

const DIMENSIONS = ['tenant', 'agent', 'run', 'tool'] as const;

/** True when the scope names nothing, i.e. it applies to every call. */
export function isGlobalScope(scope: Scope): boolean {
  return DIMENSIONS.every((dimension) => scope[dimension] === undefined);
}

/** A short human description, e.g. `tenant=acme tool=email.*`, or `global`. */
export function describeScope(scope: Scope): string {
  const parts = DIMENSIONS.filter((dimension) => scope[dimension] !== undefined).map(
    (dimension) => `${dimension}=${scope[dimension]}`,
  );
  return parts.length === 0 ? 'global' : parts.join(' ');
}
