/**
 * Roles a token can hold. `viewer` < `operator` < `admin`; `enforcer` is for guards and
 * gateways; `agent` identifies an agent to the tool gateway and may do nothing else.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'enforcer', 'agent'] as const;

/** A token's role. */
export type Role = (typeof ROLES)[number];

/** A stored API token. The secret itself is never stored, only its SHA-256 hash. */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  /** When set, the token sees and acts on this tenant only. */
  tenant?: string | undefined;
  hash: string;
  /** ISO-8601 creation time. */
  createdAt: string;
  createdBy: string;
  revokedAt?: string | undefined;
}

/** A token without its hash, as shown to people. */
export type TokenInfo = Omit<TokenRecord, 'hash'>;

const HUMAN_RANK: Partial<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

/**
 * Whether a role may do what needs `required`. Human roles are ordered; `enforcer`
 * is granted only what is asked of it by name, and admins may do what enforcers do.
 */
export function roleAllows(role: Role, required: Role): boolean {
  if (required === 'enforcer') return role === 'enforcer' || role === 'admin';
  if (required === 'agent') return role === 'agent';
  const have = HUMAN_RANK[role];
  const need = HUMAN_RANK[required] as number;
  return have !== undefined && have >= need;
}
