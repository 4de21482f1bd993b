import type { IncomingHttpHeaders } from 'node:http';

/** Who is calling a tool through the gateway, as established from their token (or stdio config). */
export interface Caller {
  tenant: string;
  agent?: string | undefined;
  run?: string | undefined;
  /** The agent token's name, for messages and audit. */
  name: string;
}

/**
 * Establishes the caller of a request. Tenant, agent and run come from the token's binding or,
 * where it has none, from the `x-estop-tenant`, `x-estop-agent` and `x-estop-run` headers; a
 * tenant-bound token can never act as another tenant. Throws EstopError `unauthorized` or
 * `forbidden`.
 */
export interface IdentityResolver {
  resolve(headers: IncomingHttpHeaders): Promise<Caller>;
}
