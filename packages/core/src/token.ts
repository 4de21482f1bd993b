/**
 * Roles a token can hold. `viewer` < `operator` < `admin`; `enforcer` is for guards and
 * gateways; `agent` identifies an agent to the tool gateway and may do nothing else; `hook` is
 * for alerting systems, which may fire the configured triggers and do nothing else.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'enforcer', 'agent', 'hook'] as const;

/** A token's role. */
export type Role = (typeof ROLES)[number];

/** A stored API token. The secret itself is never stored, only its SHA-256 hash. */
export interface TokenRecord {
  id: string;
  /** The name of the token's principal: every token of one principal carries the same name. */
  name: string;
  /**
   * The person or service the token belongs to (`p_…`), fixed when the token is minted. Tokens
   * of one principal are one identity: one approver, one voice in the two-person rule.
   */
  principalId: string;
  role: Role;
  /** When set, the token sees and acts on this tenant only. */
  tenant?: string | undefined;
  /**
   * For `agent` tokens: the agent every call through a gateway is made as; no header can name
   * another. Absent only when the token was minted with `anyAgent`.
   */
  agent?: string | undefined;
  /** For `agent` tokens minted with `--any-agent`: calls may name their agent in `x-estop-agent`. */
  anyAgent?: boolean | undefined;
  hash: string;
  /** ISO-8601 creation time. */
  createdAt: string;
  createdBy: string;
  revokedAt?: string | undefined;
}

/**
 * The principal of the administrator from the environment (`ESTOP_ADMIN_TOKEN`) and of the
 * `bootstrap-admin` token written on first start: one principal, whichever token it uses.
 */
export const BOOTSTRAP_PRINCIPAL_ID = 'p_bootstrap';

/** Names estop gives its own actors; no principal may be minted under them. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'bootstrap-admin',
  'admin',
  'admin (estop_admin_token)',
  'system',
]);
const RESERVED_PREFIXES = ['sentinel:', 'budget:', 'system:', 'estop:', 'alert:'] as const;

/**
 * True when `name` belongs to estop itself (`system`, `bootstrap-admin`, the environment's
 * admin, `sentinel:*`, `budget:*`, `alert:*`), so that no token can act, or be audited, as estop.
 */
export function isReservedPrincipalName(name: string): boolean {
  const folded = name.trim().toLowerCase();
  return RESERVED_NAMES.has(folded) || RESERVED_PREFIXES.some((prefix) => folded.startsWith(prefix));
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
  if (required === 'hook') return role === 'hook';
  const have = HUMAN_RANK[role];
  const need = HUMAN_RANK[required] as number;
  return have !== undefined && have >= need;
}
