/** What a tool call does to the world: `read` has no side effect, `write` has one. */
export type Effect = 'read' | 'write';

/**
 * A proposed tool call, as the enforcer sees it before running it.
 * A call whose effect is not known is treated as a `write`.
 */
export interface Call {
  tenant: string;
  agent?: string | undefined;
  run?: string | undefined;
  tool: string;
  effect?: Effect | undefined;
}
