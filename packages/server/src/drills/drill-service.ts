import { ScopeSchema, ModeSchema, wellFormedText, type AuditEntry, type Clock } from '@estop/core';
import { z } from 'zod';
import type { AuditWriter } from '../audit/audit-writer.js';
import { actorOf, requireScopeWithinTenant, type Principal } from '../tokens/principal.js';

/** Body of `POST /v1/drills`: what `estop drill` found, to be kept in the audit log. */
export const DrillReportSchema = z.strictObject({
  ok: z.boolean(),
  scope: ScopeSchema,
  mode: ModeSchema.optional(),
  ruleId: wellFormedText().min(1).max(200).optional(),
  /** Milliseconds each step took, by step. */
  steps: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/), z.number().nonnegative().max(86_400_000))
    .refine((steps) => Object.keys(steps).length <= 20, 'at most 20 steps')
    .optional(),
  problems: z.array(wellFormedText().min(1).max(1000)).max(20).default([]),
});

/** A drill's report after validation. */
export type DrillReport = z.output<typeof DrillReportSchema>;

/** Drills on the record: each one audited as `drill-passed` or `drill-failed` (which is notified). */
export class DrillService {
  constructor(private readonly deps: { audit: AuditWriter; clock: Clock; audited: () => void }) {}

  async record(principal: Principal, report: DrillReport): Promise<AuditEntry> {
    requireScopeWithinTenant(principal, report.scope);
    const entry = await this.deps.audit.append({
      at: new Date(this.deps.clock.now()).toISOString(),
      action: report.ok ? 'drill-passed' : 'drill-failed',
      actor: actorOf(principal),
      reason: report.ok ? undefined : report.problems.join('; ').slice(0, 2000) || 'the drill failed',
      scope: report.scope,
      ruleId: report.ruleId,
      data: { mode: report.mode, steps: report.steps, problems: report.problems },
    });
    this.deps.audited();
    return entry;
  }
}
