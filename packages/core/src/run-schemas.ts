import { z } from 'zod';
import { IsoTimeSchema, NameSchema, ReasonTextSchema } from './schemas.js';
import type { BudgetUsage, RunBudgets } from './run-budget.js';
import { isStopReason, type StopReason } from './stop-reason.js';
import { isWellFormedText } from './well-formed-text.js';

/** A run id: what `guard.startRun` makes up, or the caller's own. */
export const RunIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'letters, digits and _ . : - only');

/** A stop reason: `killed:<ruleId>`, `timeout`, `budget_exceeded:<budget>` or `ended`. */
export const StopReasonSchema = z.custom<StopReason>(
  (value) => typeof value === 'string' && value.length <= 250 && isWellFormedText(value) && isStopReason(value),
  { message: 'not a stop reason (killed:<ruleId>, timeout, budget_exceeded:<budget>, ended)' },
);

const count = z.number().int().nonnegative();
const dollars = z.number().nonnegative().finite();

/** A run's limits; an absent limit is no limit. */
export const RunBudgetsSchema = z.strictObject({
  maxSteps: count.optional(),
  maxToolCalls: count.optional(),
  maxSeconds: z.number().positive().finite().optional(),
  maxUsd: dollars.optional(),
});

/** What a run has used, as its enforcer reports it. */
export const RunUsageSchema = z.strictObject({
  steps: count,
  toolCalls: count,
  spentUsd: dollars,
  reservedUsd: dollars,
});

/** A tool call running in a run. */
export const InFlightCallSchema = z.strictObject({ tool: NameSchema, startedAt: IsoTimeSchema });

const inFlightCalls = z.array(InFlightCallSchema).max(10_000);

/** Body of `POST /v1/runs`: an enforcer registers a run it has started. */
export const RunStartSchema = z.strictObject({
  id: RunIdSchema,
  tenant: NameSchema,
  agent: NameSchema.optional(),
  enforcer: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/),
  budgets: RunBudgetsSchema.optional(),
  maxDurationMs: z.number().int().positive().optional(),
  /** How often the enforcer sends heartbeats; the run is lost after three missed. */
  heartbeatMs: z.number().int().positive().max(600_000),
  startedAt: IsoTimeSchema,
});

/** Body of `POST /v1/runs/:id/heartbeat`: the run's state and its calls in flight. */
export const RunHeartbeatSchema = z.strictObject({
  status: z.enum(['running', 'stopped']),
  stopReason: StopReasonSchema.optional(),
  inFlight: inFlightCalls,
  usage: RunUsageSchema.optional(),
});

/** Body of `POST /v1/runs/:id/end`: the run is over and nothing of it runs any more. */
export const RunEndSchema = z.strictObject({
  stopReason: StopReasonSchema,
  usage: RunUsageSchema.optional(),
});

/** Body of `POST /v1/runs/:id/kill`. */
export const RunKillSchema = z.strictObject({ reason: ReasonTextSchema });

/**
 * Where a run stands as the control plane sees it: `running`; `stopped` (it has a stop reason
 * but may still have calls in flight); `ended` (over, nothing running; `stopReason` says why);
 * `lost` (not heard from for three heartbeat intervals).
 */
export const RunStatusSchema = z.enum(['running', 'stopped', 'ended', 'lost']);

/** A run registration after validation. */
export type RunStart = z.output<typeof RunStartSchema>;
/** A heartbeat after validation. */
export type RunHeartbeat = z.output<typeof RunHeartbeatSchema>;
/** The end of a run after validation. */
export type RunEnd = z.output<typeof RunEndSchema>;
/** A tool call in flight, as heartbeats report it. */
export type InFlightCall = z.output<typeof InFlightCallSchema>;
/** Where a run stands on the control plane. */
export type RunStatus = z.output<typeof RunStatusSchema>;

/** A run as `GET /v1/runs` lists it. */
export interface RunRecord {
  id: string;
  tenant: string;
  agent?: string | undefined;
  /** The enforcer (guard) the run lives in. */
  enforcer: string;
  status: RunStatus;
  stopReason?: StopReason | undefined;
  startedAt: string;
  lastHeartbeatAt: string;
  endedAt?: string | undefined;
  inFlight: InFlightCall[];
  budgets?: RunBudgets | undefined;
  usage?: BudgetUsage | undefined;
}
