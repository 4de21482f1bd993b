import { timingSafeEqual } from 'node:crypto';
import { BOOTSTRAP_PRINCIPAL_ID, EstopError, type Clock, type TokenRecord, type TokenStore } from '@estop/core';
import type { Principal } from './principal.js';
import { sha256Hex } from './token-secret.js';

/** Resolves bearer tokens to principals. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** Forgets what is cached of a token: a revoked one is refused from the next request on. */
  forget(tokenId: string): void;
}

/** The administrator of ESTOP_ADMIN_TOKEN: the same principal as the `bootstrap-admin` token. */
const ENVIRONMENT_ADMIN: Principal = {
  id: 'env-admin',
  principalId: BOOTSTRAP_PRINCIPAL_ID,
  name: 'admin (ESTOP_ADMIN_TOKEN)',
  role: 'admin',
};

/** How long a token's lookup is remembered: revocation by another replica must reach a gateway within 1 s. */
const CACHE_MS = 250;

/**
 * Checks bearer tokens against the store (by hash) and the bootstrap admin token from the
 * environment. Lookups are cached for a quarter second, so a revoked token stops working within
 * that on every replica, and at once on the replica that revoked it (`forget`). Requests with
 * the same token while its lookup is under way share it: a thousand enforcers of one token that
 * reconnect at once cost the store one read, not a thousand queued in its pool.
 */
export function createAuthenticator(options: {
  tokens: TokenStore;
  clock: Clock;
  adminToken?: string | undefined;
}): Authenticator {
  const adminHash = options.adminToken === undefined ? undefined : Buffer.from(sha256Hex(options.adminToken), 'hex');
  const cache = new Map<string, { principal: Principal; until: number }>();
  const lookups = new Map<string, Promise<TokenRecord | undefined>>();
  // Bumped by `forget`: a lookup that started before a revocation is not cached after it.
  let generation = 0;

  return {
    async authenticate(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (match === null) {
        throw new EstopError({ code: 'unauthorized', message: 'send a token: Authorization: Bearer estop_…' });
      }
      const hash = sha256Hex(match[1] as string);
      if (adminHash !== undefined && timingSafeEqual(adminHash, Buffer.from(hash, 'hex'))) {
        return ENVIRONMENT_ADMIN;
      }
      const now = options.clock.now();
      const cached = cache.get(hash);
      if (cached !== undefined && cached.until > now) return cached.principal;
      let lookup = lookups.get(hash);
      if (lookup === undefined) {
        const started = options.tokens.findByHash(hash);
        lookup = started.finally(() => {
          if (lookups.get(hash) === lookup) lookups.delete(hash);
        });
        lookups.set(hash, lookup);
      }
      const startedIn = generation;
      const record = await lookup;
      if (record === undefined || record.revokedAt !== undefined) {
        cache.delete(hash);
        throw new EstopError({ code: 'unauthorized', message: 'unknown or revoked token' });
      }
      const principal: Principal = {
        id: record.id,
        principalId: record.principalId,
        name: record.name,
        role: record.role,
        tenant: record.tenant,
        agent: record.agent,
        anyAgent: record.anyAgent,
      };
      if (startedIn === generation) {
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, { principal, until: now + CACHE_MS });
      }
      return principal;
    },
    forget(tokenId) {
      for (const [hash, entry] of cache) if (entry.principal.id === tokenId) cache.delete(hash);
      // A lookup under way may have read the token before it was revoked: the next request reads again.
      lookups.clear();
      generation += 1;
    },
  };
}
