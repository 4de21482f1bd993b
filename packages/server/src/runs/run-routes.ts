import {
  RunEndSchema,
  RunHeartbeatSchema,
  RunIdSchema,
  RunKillSchema,
  RunStartSchema,
  SYSTEM_ACTOR,
  EstopError,
  killingRule,
  type Actor,
  type RunRecord,
  type Scope,
} from '@estop/core';
import type { Context, Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.js';
import { canSee, requireRole, requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import { paginate, PageQuerySchema } from '../http/pagination.js';
import { readBody, readQuery } from '../http/read-input.js';
import { requireReportableRule } from '../rules/reportable-rule.js';

function runId(context: Context<AppEnv>): string {
  const id = context.req.param('id') ?? '';
  if (!RunIdSchema.safeParse(id).success) throw new EstopError({ code: 'invalid_request', message: 'not a run id' });
  return id;
}

/**
 * Refuses (403) a stop reason `killed:<ruleId>` naming a rule the reporting token may not report
 * on for the run's tenant (see requireReportableRule), so no run is put down to another tenant's rule.
 */
async function requireReportableStop(
  deps: AppDeps,
  principal: Principal,
  id: string,
  stopReason: string | undefined,
): Promise<void> {
  const run = deps.runs.get(id);
  const ruleId = killingRule(stopReason);
  if (run === undefined || ruleId === undefined) return;
  await requireReportableRule(deps, principal, ruleId, run.tenant);
}

/** Who terminated a run, for the audit log: its budget, or estop itself (rules and timeouts). */
function terminationActor(run: RunRecord): Actor {
  return run.stopReason?.startsWith('budget_exceeded:') ? { id: `budget:${run.id}`, kind: 'system' } : SYSTEM_ACTOR;
}

/** Runs: enforcers register, report and end them; operators list and kill them. */
export function runRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/runs', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'enforcer');
    const start = await readBody(context, RunStartSchema);
    requireScopeWithinTenant(principal, { tenant: start.tenant });
    const run = deps.runs.start(principal.id, start);
    deps.events.notify('runs');
    return context.json(run, 201);
  });

  app.post('/v1/runs/:id/heartbeat', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'enforcer');
    const id = runId(context);
    const heartbeat = await readBody(context, RunHeartbeatSchema);
    await requireReportableStop(deps, principal, id, heartbeat.stopReason);
    deps.runs.heartbeat(principal.id, id, heartbeat);
    deps.events.notify('runs');
    return context.body(null, 204);
  });

  app.post('/v1/runs/:id/end', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'enforcer');
    const id = runId(context);
    const end = await readBody(context, RunEndSchema);
    await requireReportableStop(deps, principal, id, end.stopReason);
    const { run, first } = deps.runs.end(principal.id, id, end);
    if (first && run.stopReason !== undefined && run.stopReason !== 'ended') {
      await deps.audit.append({
        at: run.endedAt ?? new Date(deps.clock.now()).toISOString(),
        action: 'run-terminated',
        actor: terminationActor(run),
        reason: run.stopReason,
        scope: { tenant: run.tenant, agent: run.agent, run: run.id },
        ruleId: killingRule(run.stopReason),
        data: { stopReason: run.stopReason, enforcer: run.enforcer, usage: run.usage },
      });
      deps.events.notify('audit');
    }
    deps.events.notify('runs');
    return context.body(null, 204);
  });

  app.get('/v1/runs', (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'viewer');
    const query = readQuery(context, PageQuerySchema);
    const visible = deps.runs.list().filter((run) => canSee(principal, { tenant: run.tenant }));
    const page = paginate(visible, (run) => run.id, query);
    return context.json({ runs: page.items, nextCursor: page.nextCursor });
  });

  app.post('/v1/runs/:id/kill', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'operator');
    const id = runId(context);
    const { reason } = await readBody(context, RunKillSchema);
    const known = deps.runs.get(id);
    const visible = known !== undefined && canSee(principal, { tenant: known.tenant }) ? known : undefined;
    // A run this replica does not know may live on another one: the rule reaches it anyway.
    const tenant = visible?.tenant ?? principal.tenant;
    const scope: Scope = tenant === undefined ? { run: id } : { tenant, run: id };
    const created = await deps.rules.create(principal, { scope, mode: 'full_stop', reason, cancelInFlight: true });
    deps.events.notify('runs');
    return context.json({ ...created, run: visible ?? null }, 201);
  });
}
