import type { Role } from '@estop/core';
import type { Hono } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../app-env.js';
import type { Principal } from '../tokens/principal.js';
import { authorize } from './authorize.js';
import { readBody } from './read-input.js';

/**
 * A `POST` route that creates one thing: authorize `role` first, read the body with `schema`,
 * `create`, and answer 201 with what was created.
 *
 * @example
 * createRoute(app, ROUTES.recordDraft.path, 'enforcer', DraftInputSchema, (principal, input) => deps.drafts.record(principal, input));
 */
export function createRoute<Schema extends z.ZodType, Created>(
  app: Hono<AppEnv>,
  path: string,
  role: Role,
  schema: Schema,
  create: (principal: Principal, input: z.output<Schema>) => Promise<Created> | Created,
): void {
  app.post(path, async (context) => {
    const principal = authorize(context, role);
    const input = await readBody(context, schema);
    return context.json(await create(principal, input), 201);
  });
}
