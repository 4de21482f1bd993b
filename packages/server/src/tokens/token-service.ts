import {
  BOOTSTRAP_PRINCIPAL_ID,
  EstopError,
  SYSTEM_ACTOR,
  isReservedPrincipalName,
  type AdminRequest,
  type Clock,
  type Store,
  type TokenInfo,
  type TokenInputSchema,
  type TokenRecord,
} from '@estop/core';
import type { z } from 'zod';
import type { OperatorTopic } from '../stream/operator-events.js';
import { actorOf, requireScopeWithinTenant, samePrincipal, type Principal } from './principal.js';
import { generateTokenSecret, randomId, sha256Hex } from './token-secret.js';

/** A token request after validation. */
export type TokenInput = z.output<typeof TokenInputSchema>;

/** An admin request as shown: its token without the hash. */
export type AdminRequestInfo = Omit<AdminRequest, 'token'> & { token: TokenInfo };

/** What minting gave: a token at once, or a request that a different admin must confirm first. */
export type MintResult =
  | { kind: 'created'; secret: string; info: TokenInfo }
  | { kind: 'requested'; secret: string; request: AdminRequestInfo };

/** A token without its hash, as shown to people. */
export function tokenInfo(record: TokenRecord): TokenInfo {
  const { hash: _hash, ...rest } = record;
  return rest;
}

function requestInfo(request: AdminRequest): AdminRequestInfo {
  return { ...request, token: tokenInfo(request.token) };
}

/**
 * Minting, revoking and governing API tokens. Every token belongs to a principal fixed at minting;
 * once two admin principals exist, a third (or more) is a request that a different admin
 * principal confirms, so that no one admin can manufacture the second approver.
 */
export class TokenService {
  readonly #store: Pick<Store, 'tokens' | 'adminRequests'>;
  readonly #clock: Clock;
  readonly #environmentAdmin: boolean;
  readonly #requestTtlMs: number;
  readonly #revoked: (tokenId: string) => void;
  readonly #notify: (topic: OperatorTopic) => void;
  /** Mints one at a time, so that two admins minting together cannot both be "the only one". */
  #minting: Promise<unknown> = Promise.resolve();

  constructor(options: {
    store: Pick<Store, 'tokens' | 'adminRequests'>;
    clock: Clock;
    /** Whether ESTOP_ADMIN_TOKEN is set: its principal (the bootstrap admin's) counts as an admin. */
    environmentAdmin: boolean;
    /** How long an admin request waits for its confirmation. */
    requestTtlMs: number;
    /** Called after a revocation is stored: ends the token's streams and forgets it. */
    revoked: (tokenId: string) => void;
    /** Tells operator views of a change (the audit log grew). */
    notify?: ((topic: OperatorTopic) => void) | undefined;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#environmentAdmin = options.environmentAdmin;
    this.#requestTtlMs = options.requestTtlMs;
    this.#revoked = options.revoked;
    this.#notify = options.notify ?? (() => {});
  }

  /** Tokens the admin may see: a tenant-bound admin sees its tenant's only. */
  async list(principal: Principal): Promise<TokenInfo[]> {
    const tokens = await this.#store.tokens.list();
    return tokens.filter((token) => principal.tenant === undefined || token.tenant === principal.tenant).map(tokenInfo);
  }

  /** Mints a token for a new principal (`name`) or for the caller's own (`forMe`). */
  async mint(principal: Principal, input: TokenInput): Promise<MintResult> {
    const minted = this.#minting.then(() => this.#mint(principal, input));
    this.#minting = minted.catch(() => undefined);
    const result = await minted;
    this.#notify('audit');
    return result;
  }

  async #mint(principal: Principal, input: TokenInput): Promise<MintResult> {
    const tenant = input.tenant ?? principal.tenant;
    requireScopeWithinTenant(principal, { tenant });
    await this.expire();
    const tokens = await this.#store.tokens.list();
    // A name asked for in a pending admin request is taken too, so that two requests cannot both win it.
    const pending = (await this.#store.adminRequests.list({ pending: true })).map((record) => record.request.token);
    const owner =
      input.forMe === true
        ? this.#own(principal, tokens)
        : this.#newPrincipal(input.name ?? '', [...tokens, ...pending]);
    const at = new Date(this.#clock.now()).toISOString();
    const secret = generateTokenSecret();
    const record: TokenRecord = {
      id: randomId('t'),
      name: owner.name,
      principalId: owner.principalId,
      role: input.role,
      tenant,
      hash: sha256Hex(secret),
      createdAt: at,
      createdBy: principal.name,
    };
    if (input.role === 'agent') {
      // Bound to an agent unless explicitly not: by default the token's own name.
      if (input.anyAgent === true) record.anyAgent = true;
      else record.agent = input.agent ?? owner.name;
    }
    const actor = actorOf(principal);
    const scope = tenant === undefined ? undefined : { tenant };
    const facts = { tokenId: record.id, name: record.name, role: record.role, principalId: record.principalId };
    let soleAdmin = false;
    if (input.role === 'admin' && owner.isNew) {
      const admins = this.#adminPrincipals(tokens);
      if (admins.size >= 2) {
        const request: AdminRequest = {
          id: randomId('ar'),
          token: record,
          requestedBy: actor,
          reason: input.reason,
          at,
          expiresAt: new Date(this.#clock.now() + this.#requestTtlMs).toISOString(),
        };
        await this.#store.adminRequests.create(request, {
          at,
          action: 'admin-requested',
          actor,
          reason: input.reason,
          scope,
          data: { requestId: request.id, ...facts, expiresAt: request.expiresAt },
        });
        return { kind: 'requested', secret, request: requestInfo(request) };
      }
      // Only while a single admin principal exists may it make the second alone: say so.
      soleAdmin = true;
    }
    await this.#store.tokens.create(record, {
      at,
      action: 'token-created',
      actor,
      reason: input.reason,
      scope,
      data: soleAdmin ? { ...facts, soleAdmin } : facts,
    });
    return { kind: 'created', secret, info: tokenInfo(record) };
  }

  /** Revokes a token; its streams end at once here and within a second on other replicas. */
  async revoke(principal: Principal, id: string): Promise<void> {
    const target = (await this.#store.tokens.list()).find((token) => token.id === id);
    if (target !== undefined && principal.tenant !== undefined) {
      requireScopeWithinTenant(principal, { tenant: target.tenant });
    }
    const at = new Date(this.#clock.now()).toISOString();
    const revoked = await this.#store.tokens.revoke(id, {
      at,
      action: 'token-revoked',
      actor: actorOf(principal),
      scope: target?.tenant === undefined ? undefined : { tenant: target.tenant },
      data: { tokenId: id, principalId: target?.principalId },
    });
    if (!revoked) throw new EstopError({ code: 'not_found', message: `no active token ${id}` });
    this.#revoked(id);
    this.#notify('audit');
  }

  /** Pending admin requests the admin may see (a tenant-bound admin: its tenant's), oldest first. */
  async requests(principal: Principal): Promise<AdminRequestInfo[]> {
    await this.expire();
    return (await this.#store.adminRequests.list({ pending: true }))
      .map((record) => record.request)
      .filter((request) => principal.tenant === undefined || request.token.tenant === principal.tenant)
      .map(requestInfo);
  }

  /** A different admin principal confirms: the requested admin token is created and usable. */
  async confirm(principal: Principal, id: string, reason: string | undefined): Promise<TokenInfo> {
    await this.expire();
    const found = await this.#store.adminRequests.get(id);
    const visible =
      found !== undefined &&
      found.resolution === undefined &&
      (principal.tenant === undefined || found.request.token.tenant === principal.tenant);
    if (!visible) throw new EstopError({ code: 'not_found', message: `no pending admin request ${id}` });
    const { request } = found;
    requireScopeWithinTenant(principal, { tenant: request.token.tenant });
    const actor = actorOf(principal);
    if (samePrincipal(actor, request.requestedBy)) {
      throw new EstopError({
        code: 'forbidden',
        message: `a second admin is needed: ${request.requestedBy.id} asked for admin request ${id}, and ${actor.id} is the same principal`,
        details: { requestId: id },
      });
    }
    const at = new Date(this.#clock.now()).toISOString();
    const resolved = await this.#store.adminRequests.resolve(
      id,
      { outcome: 'confirmed', actor, reason, at },
      {
        at,
        action: 'admin-confirmed',
        actor,
        reason,
        scope: request.token.tenant === undefined ? undefined : { tenant: request.token.tenant },
        data: {
          requestId: id,
          requestedBy: request.requestedBy.id,
          tokenId: request.token.id,
          name: request.token.name,
          role: request.token.role,
          principalId: request.token.principalId,
        },
      },
    );
    if (!resolved) throw new EstopError({ code: 'not_found', message: `no pending admin request ${id}` });
    this.#notify('audit');
    return tokenInfo(request.token);
  }

  /** Resolves pending admin requests past their time as expired; their tokens never exist. */
  async expire(): Promise<void> {
    const now = this.#clock.now();
    for (const { request } of await this.#store.adminRequests.list({ pending: true })) {
      if (Date.parse(request.expiresAt) > now) continue;
      const at = new Date(now).toISOString();
      await this.#store.adminRequests.resolve(
        request.id,
        { outcome: 'expired', actor: SYSTEM_ACTOR, at },
        {
          at,
          action: 'admin-expired',
          actor: SYSTEM_ACTOR,
          scope: request.token.tenant === undefined ? undefined : { tenant: request.token.tenant },
          data: { requestId: request.id, requestedBy: request.requestedBy.id, tokenId: request.token.id },
        },
      );
    }
  }

  /** The caller's own principal: its id, and the name its tokens carry. */
  #own(principal: Principal, tokens: readonly TokenRecord[]): { principalId: string; name: string; isNew: false } {
    const named = tokens.find((token) => token.principalId === principal.principalId)?.name;
    const name = named ?? (principal.principalId === BOOTSTRAP_PRINCIPAL_ID ? 'bootstrap-admin' : principal.name);
    return { principalId: principal.principalId, name, isNew: false };
  }

  /** A new principal named `name`, which must be neither reserved nor any principal's already. */
  #newPrincipal(name: string, tokens: readonly TokenRecord[]): { principalId: string; name: string; isNew: true } {
    if (isReservedPrincipalName(name)) {
      throw new EstopError({
        code: 'invalid_request',
        message: `"${name}" is a reserved name (estop's own actors: system, admin, bootstrap-admin, sentinel:*, budget:*)`,
      });
    }
    const folded = name.trim().toLowerCase();
    if (tokens.some((token) => token.name.trim().toLowerCase() === folded)) {
      throw new EstopError({
        code: 'conflict',
        message: `the name "${name}" belongs to a principal already; mint another token for yourself with forMe, or choose another name`,
      });
    }
    return { principalId: randomId('p'), name, isNew: true };
  }

  /** The principals holding an active admin token, the environment's admin included. */
  #adminPrincipals(tokens: readonly TokenRecord[]): Set<string> {
    const admins = new Set(
      tokens
        .filter((token) => token.role === 'admin' && token.revokedAt === undefined)
        .map((token) => token.principalId),
    );
    if (this.#environmentAdmin) admins.add(BOOTSTRAP_PRINCIPAL_ID);
    return admins;
  }
}
