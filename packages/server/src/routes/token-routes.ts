import { EstopError, TokenInputSchema, type TokenRecord } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { actorOf, requireRole, requireScopeWithinTenant } from '../principal.js';
import { paginate, PageQuerySchema } from '../pagination.js';
import { readBody, readQuery } from '../read-input.js';
import { generateTokenSecret, randomId, sha256Hex } from '../token-secret.js';

function info(record: TokenRecord) {
  const { hash: _hash, ...rest } = record;
  return rest;
}

/** Creating, listing and revoking API tokens (admins only). */
export function tokenRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/v1/whoami', (context) => context.json(context.get('principal')));

  app.get('/v1/tokens', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'admin');
    const query = readQuery(context, PageQuerySchema);
    const tokens = await deps.store.tokens.list();
    const visible = tokens.filter((token) => principal.tenant === undefined || token.tenant === principal.tenant);
    const page = paginate(visible.map(info), (token) => token.id, query);
    return context.json({ tokens: page.items, nextCursor: page.nextCursor });
  });

  app.post('/v1/tokens', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'admin');
    const input = await readBody(context, TokenInputSchema);
    requireScopeWithinTenant(principal, { tenant: input.tenant ?? principal.tenant });
    const secret = generateTokenSecret();
    const at = new Date(deps.clock.now()).toISOString();
    const record: TokenRecord = {
      id: randomId('t'),
      name: input.name,
      role: input.role,
      tenant: input.tenant ?? principal.tenant,
      hash: sha256Hex(secret),
      createdAt: at,
      createdBy: principal.name,
    };
    await deps.store.tokens.create(record, {
      at,
      action: 'token-created',
      actor: actorOf(principal),
      scope: record.tenant === undefined ? undefined : { tenant: record.tenant },
      data: { tokenId: record.id, name: record.name, role: record.role },
    });
    deps.events.notify('audit');
    return context.json({ token: secret, info: info(record) }, 201);
  });

  app.delete('/v1/tokens/:id', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'admin');
    const id = context.req.param('id');
    const target = (await deps.store.tokens.list()).find((token) => token.id === id);
    if (target !== undefined && principal.tenant !== undefined) {
      requireScopeWithinTenant(principal, { tenant: target.tenant });
    }
    const at = new Date(deps.clock.now()).toISOString();
    const revoked = await deps.store.tokens.revoke(id, {
      at,
      action: 'token-revoked',
      actor: actorOf(principal),
      scope: target?.tenant === undefined ? undefined : { tenant: target.tenant },
      data: { tokenId: id },
    });
    if (!revoked) throw new EstopError({ code: 'not_found', message: `no active token ${id}` });
    deps.events.notify('audit');
    return context.body(null, 204);
  });
}
