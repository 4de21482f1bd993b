import { z } from 'zod';
import { EffectSchema, IsoTimeSchema, NameSchema, ReasonTextSchema } from './schemas.js';
import { MODES } from './modes.js';
import { wellFormedJson } from './well-formed-text.js';

const DAY_MS = 24 * 60 * 60_000;
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const callFields = {
  tenant: NameSchema,
  agent: NameSchema.optional(),
  run: NameSchema.optional(),
  tool: NameSchema,
  /** The call's arguments, any JSON. */
  args: wellFormedJson().default(null),
  /** The rule that gated or drafted the call. */
  ruleId: NameSchema.optional(),
  /** The enforcer making the call. */
  enforcer: NameSchema.optional(),
};

/** Body of `POST /v1/approvals`: an enforcer asks for an operator's approval of one call. */
export const ApprovalRequestInputSchema = z.strictObject({
  ...callFields,
  /** How long to wait for a decision before the request expires (a denial). Default 5 minutes. */
  timeoutMs: z.number().int().min(1000).max(DAY_MS).optional(),
});

/** Body of `POST /v1/approvals/:id/approve` and `.../deny`. */
export const ApprovalDecisionInputSchema = z.strictObject({ reason: ReasonTextSchema });

/** Body of `POST /v1/approvals/:id/consume`: the enforcer runs the call, once, if it is the approved one. */
export const ApprovalConsumeSchema = z.strictObject({ hash });

/** Body of `POST /v1/drafts`: a write recorded instead of run under `draft_only`. */
export const DraftInputSchema = z.strictObject(callFields);

/** Body of `POST /v1/idempotency/claim`. */
export const IdempotencyClaimInputSchema = z.strictObject({
  tenant: NameSchema,
  tool: NameSchema,
  /** The caller's key; absent, it is derived from tenant, tool and args. */
  key: NameSchema.optional(),
  args: wellFormedJson().optional(),
  /** How long a completed call suppresses its duplicates. */
  windowMs: z
    .number()
    .int()
    .min(1)
    .max(7 * DAY_MS),
  /** While an earlier call is still running, wait this long for its result. Default 0. */
  waitMs: z.number().int().min(0).max(60_000).default(0),
  enforcer: NameSchema.optional(),
  /** Who makes the call, for the sentinels that count writes per agent or run. */
  agent: NameSchema.optional(),
  run: NameSchema.optional(),
});

/** The claim a completion or a release ends: the key, where it is kept, and the claim's id. */
const IdempotencyClaimedSchema = z.strictObject({
  tenant: NameSchema,
  /** The tool the key was claimed for: keys are kept per tenant and tool. */
  tool: NameSchema,
  key: NameSchema,
  claimId: NameSchema,
});

/** Body of `POST /v1/idempotency/complete`. */
export const IdempotencyCompleteSchema = IdempotencyClaimedSchema.extend({
  /**
   * The call's result, any JSON; returned to duplicates. Not checked value by value: it is read
   * from the request's JSON body, already bounded in size and depth, so it cannot be anything
   * but JSON; checking it again took most of the time a batch's validation took.
   */
  result: z.unknown().default(null),
});

/** Body of `POST /v1/idempotency/release`. */
export const IdempotencyReleaseSchema = IdempotencyClaimedSchema.extend({
  /** True when the call ran and failed, for the sentinels that count failures (with agent and run). */
  failed: z.boolean().default(false),
  agent: NameSchema.optional(),
  run: NameSchema.optional(),
});

/** The most operations one `POST /v1/idempotency/batch` carries. */
export const IDEMPOTENCY_BATCH_MAX = 1000;

/**
 * Body of `POST /v1/idempotency/batch`: claims, completions and releases of many writes in one
 * request, answered in order, and what enforcers keeping their own keys observed. A claim in a batch never waits: a key held by a write still
 * running is answered `pending`, and the caller waits on `POST /v1/idempotency/claim`.
 */
export const IdempotencyBatchSchema = z.strictObject({
  ops: z
    .array(
      z.discriminatedUnion('op', [
        IdempotencyClaimInputSchema.omit({ waitMs: true }).extend({ op: z.literal('claim') }),
        IdempotencyCompleteSchema.extend({ op: z.literal('complete') }),
        IdempotencyReleaseSchema.extend({ op: z.literal('release') }),
        z.strictObject({
          /**
           * What an enforcer that keeps its keys in a shared store of its own (Redis) did with
           * them, for the sentinels and the audit log: a first write run, a duplicate
           * suppressed, a write that ran and failed.
           */
          op: z.literal('observed'),
          kind: z.enum(['write', 'duplicate', 'failure']),
          tenant: NameSchema,
          tool: NameSchema,
          agent: NameSchema.optional(),
          run: NameSchema.optional(),
          enforcer: NameSchema.optional(),
        }),
      ]),
    )
    .min(1)
    .max(IDEMPOTENCY_BATCH_MAX),
});

/** Body of `POST /v1/enforcers/:id/blocks`: calls the enforcer refused since its last report. */
export const BlockReportSchema = z.strictObject({
  from: IsoTimeSchema,
  to: IsoTimeSchema,
  counts: z
    .array(
      z.strictObject({
        tool: NameSchema,
        tenant: NameSchema.optional(),
        ruleId: NameSchema.optional(),
        mode: z.enum(MODES).optional(),
        /** Why: a rule, the staleness fail-safe, break-glass, or a call that could not be decided. */
        source: z.enum(['rule', 'stale', 'break_glass', 'invalid_call']).optional(),
        effect: EffectSchema.optional(),
        /** At most 2^31−1 per report: an enforcer's refusals in one interval, never an arbitrary figure. */
        count: z.number().int().positive().max(2_147_483_647),
      }),
    )
    .min(1)
    .max(10_000),
});

export type ApprovalRequestInput = z.output<typeof ApprovalRequestInputSchema>;
export type DraftInput = z.output<typeof DraftInputSchema>;
export type IdempotencyClaimInput = z.output<typeof IdempotencyClaimInputSchema>;
export type BlockReport = z.output<typeof BlockReportSchema>;
export type IdempotencyBatch = z.output<typeof IdempotencyBatchSchema>;
export type IdempotencyBatchOp = IdempotencyBatch['ops'][number];
