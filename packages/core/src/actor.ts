/** Who changed something: a person (a token's identity), an agent, or estop itself. */
export interface Actor {
  /** The principal's name (`system` and `sentinel:*` for estop itself). */
  id: string;
  kind: 'human' | 'agent' | 'system';
  /** The principal behind the token (`p_…`); absent for estop itself and in entries written before principals. */
  principalId?: string | undefined;
  /** The token that acted; absent for estop itself and in entries written before principals. */
  tokenId?: string | undefined;
}

/** The actor for changes estop makes on its own, such as lifting an expired rule. */
export const SYSTEM_ACTOR: Actor = { id: 'system', kind: 'system' };
