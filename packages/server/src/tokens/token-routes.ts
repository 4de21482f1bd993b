import { ROUTES } from '@estop/client';
import { AdminRequestConfirmSchema, TokenInputSchema } from '@estop/core';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { describePrincipal } from './principal.js';
import { authorize } from '../http/authorize.js';
import { listRoute } from '../http/list-route.js';
import { readBody } from '../http/read-input.js';

/** Creating, listing and revoking API tokens, and confirming new admins (admins only). */
export function tokenRoutes(app: Hono<AppEnv>, deps: Pick<AppDeps, 'tokens'>): void {
  app.get(ROUTES.whoami.path, (context) => context.json(describePrincipal(context.get('principal'))));

  listRoute(app, ROUTES.listTokens.path, 'admin', 'tokens', (principal) => deps.tokens.list(principal));

  app.post(ROUTES.createToken.path, async (context) => {
    const principal = authorize(context, 'admin');
    const input = await readBody(context, TokenInputSchema);
    const minted = await deps.tokens.mint(principal, input);
    if (minted.kind === 'created') return context.json({ token: minted.secret, info: minted.info }, 201);
    return context.json(
      {
        token: minted.secret,
        request: minted.request,
        message: `a new admin principal while two or more exist: the token works once a different admin confirms (estop tokens confirm ${minted.request.id})`,
      },
      202,
    );
  });

  listRoute(app, ROUTES.listTokenRequests.path, 'admin', 'requests', (principal) => deps.tokens.requests(principal));

  app.post(ROUTES.confirmTokenRequest.path, async (context) => {
    const principal = authorize(context, 'admin');
    const { reason } = await readBody(context, AdminRequestConfirmSchema);
    const confirmed = await deps.tokens.confirm(principal, context.req.param('id'), reason);
    return context.json({ info: confirmed });
  });

  app.delete(ROUTES.revokeToken.path, async (context) => {
    const principal = authorize(context, 'admin');
    await deps.tokens.revoke(principal, context.req.param('id'));
    return context.body(null, 204);
  });
}
