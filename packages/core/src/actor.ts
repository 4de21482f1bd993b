/** Who changed something: a person (a token's identity), an agent, or estop itself. */
export interface Actor {
  id: string;
  kind: 'human' | 'agent' | 'system';
}

/** The actor for changes estop makes on its own, such as lifting an expired rule. */
export const SYSTEM_ACTOR: Actor = { id: 'system', kind: 'system' };
