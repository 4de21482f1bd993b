import { z } from 'zod';
import { MAX_DURATION_MS, parseDuration } from './duration.js';
import { MODES, parseMode } from './modes.js';
import { ROLES } from './token.js';
import { wellFormedText } from './well-formed-text.js';

// Names (tenants, agents, tools, ids) hold no control characters; free text may hold tabs and
// line breaks but no other control character (PostgreSQL cannot even store NUL). Neither holds a
// lone surrogate, which a store would keep as U+FFFD and so break the audit chain.
const name = wellFormedText()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');
const reasonText = wellFormedText()
  .trim()
  .min(1, 'a reason is required')
  .max(2000)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'must not contain control characters');
const isoTime = z.iso.datetime({ offset: true });

/** A mode name, accepting the `disable_writes` alias. */
export const ModeSchema = z.string().transform((value, context) => {
  const mode = parseMode(value);
  if (mode === undefined) {
    context.addIssue({ code: 'custom', message: `unknown mode "${value}"; use one of ${MODES.join(', ')}` });
    return z.NEVER;
  }
  return mode;
});

/**
 * A duration string such as `30m`, read as milliseconds: its unit is required, and it may be
 * at most `maxMs` (366 days unless given).
 */
export function durationSchema(maxMs: number = MAX_DURATION_MS) {
  // A number (`expires: 30` in YAML, `expiresIn: 30` in JSON) is read as text, to be asked "30 what?".
  return z.union([z.string(), z.number()]).transform((value, context) => {
    try {
      return parseDuration(String(value), maxMs);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** A duration string such as `30m` (unit required, at most 366 days), read as milliseconds. */
export const DurationSchema = durationSchema();

export const EffectSchema = z.enum(['read', 'write']);

export const ScopeSchema = z.strictObject({
  tenant: name.optional(),
  agent: name.optional(),
  run: name.optional(),
  tool: name.optional(),
});

export const ActorSchema = z.object({
  id: name,
  kind: z.enum(['human', 'agent', 'system']),
  principalId: name.optional(),
  tokenId: name.optional(),
});

export const CallSchema = z.strictObject({
  tenant: name,
  agent: name.optional(),
  run: name.optional(),
  tool: name,
  effect: EffectSchema.optional(),
});

// What the control plane sends to enforcers (rules, lifts, snapshots, events) drops unknown
// fields instead of refusing them, so a newer server never makes deployed guards reject its state.
export const RuleSchema = z.object({
  id: name,
  scope: ScopeSchema,
  mode: z.enum(MODES),
  reason: z.string(),
  actor: ActorSchema,
  createdAt: isoTime,
  startsAt: isoTime.optional(),
  expiresAt: isoTime.optional(),
  cancelInFlight: z.boolean(),
});

export const RuleLiftSchema = z.object({
  ruleId: name,
  actor: ActorSchema,
  reason: z.string(),
  at: isoTime,
  expired: z.boolean(),
});

/** A store's identity (see StateSnapshot.storeId). */
const StoreIdSchema = z.string().min(1).max(200);

export const StateSnapshotSchema = z.object({
  version: z.number().int().nonnegative(),
  rules: z.array(RuleSchema),
  tools: z.record(z.string(), EffectSchema),
  storeId: StoreIdSchema.optional(),
});

export const ChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rule-created'), rule: RuleSchema }),
  z.object({ type: z.literal('rule-lifted'), lift: RuleLiftSchema }),
]);

export const ChangeEventSchema = z.object({
  version: z.number().int().positive(),
  at: isoTime,
  changes: z.array(ChangeSchema),
});

/** Sent on the stream when nothing has changed, so enforcers know the control plane is alive. */
export const KeepAliveSchema = z.object({ version: z.number().int().nonnegative(), at: isoTime });

/**
 * Sent first on a stream that continues from the version the enforcer already holds (its
 * `Last-Event-ID`), instead of a snapshot: the changes after `version` follow. `tools` are the
 * control plane's tool effects, which a snapshot would have carried.
 */
export const StreamResumeSchema = z.object({
  version: z.number().int().nonnegative(),
  tools: z.record(z.string(), EffectSchema),
  storeId: StoreIdSchema.optional(),
});

/**
 * A stream request's `Last-Event-ID`: the version the enforcer holds, as a decimal number. Anything
 * else is not a version this control plane sent, and is answered with a snapshot.
 */
export const LastEventIdSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/)
  .transform(Number)
  .refine(Number.isSafeInteger);

/** Body of `POST /v1/rules`: a switch to flip. */
export const RuleInputSchema = z
  .strictObject({
    scope: ScopeSchema.default({}),
    /** Absent: the control plane's default mode (`read_only` unless configured). */
    mode: ModeSchema.optional(),
    reason: reasonText,
    /** A scheduled stop: the rule is pushed now and matches from this time (at most 366 days away). */
    startsAt: isoTime.optional(),
    expiresAt: isoTime.optional(),
    /** From `startsAt` when given, else from now. */
    expiresIn: DurationSchema.optional(),
    cancelInFlight: z.boolean().default(false),
  })
  .refine((input) => input.expiresAt === undefined || input.expiresIn === undefined, {
    message: 'give expiresAt or expiresIn, not both',
  })
  .refine((input) => input.startsAt === undefined || !input.cancelInFlight, {
    message: 'a scheduled stop cannot cancel calls in flight: enforcers hear of it before it starts',
    path: ['cancelInFlight'],
  });

/** Body of `POST /v1/rules/:id/lift`. */
export const LiftInputSchema = z.strictObject({
  reason: reasonText,
  /** A staged restore: replace the rule by one of this less restrictive mode on the same scope. */
  to: ModeSchema.optional(),
  /** Lift a sentinel's trip even while its window is still over the threshold (audited). */
  force: z.boolean().optional(),
});

/** Body of `POST /v1/restore-requests/:id/confirm`. */
export const RestoreConfirmSchema = z.strictObject({
  reason: reasonText,
  /** Lift a sentinel's trip even while its window is still over the threshold (audited). */
  force: z.boolean().optional(),
});

// Enforcers report these numbers; every store holds them (PostgreSQL's pid and in-flight columns
// are 32-bit), so a value one store cannot hold is refused here, before any flush.
const INT32_MAX = 2_147_483_647;
const enforcerCount = z.number().int().min(0).max(INT32_MAX);
const stateVersion = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Body of `POST /v1/enforcers`: every field bounded so that any store can save the record. */
export const EnforcerRegistrationSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/),
  name: name,
  kind: z.enum(['sdk', 'gateway']),
  /** The enforcer's host name or address: no control characters (NUL included), at most 200 characters. */
  host: name.optional(),
  /** A process id, within 0..2^31-1 as operating systems give them. */
  pid: enforcerCount.optional(),
});

/** Body of `POST /v1/enforcers/:id/ack`. */
export const AckSchema = z.strictObject({
  version: stateVersion,
  inFlight: enforcerCount.default(0),
});

/** Body of `POST /v1/enforcers/acks`: acknowledgements from every enforcer in one process. */
export const AckBatchSchema = z.strictObject({
  acks: z
    .array(
      z.strictObject({
        id: wellFormedText().min(1).max(100),
        version: stateVersion,
        inFlight: enforcerCount.default(0),
      }),
    )
    .max(10_000),
});

/**
 * Body of `POST /v1/tokens`: either `name`, a new principal (a person or a service) of that name,
 * or `forMe`, another token of the caller's own principal. `agent` binds an agent token to an
 * agent other than its name; `anyAgent` lets it name its agent per call instead.
 */
export const TokenInputSchema = z
  .strictObject({
    name: name.optional(),
    forMe: z.literal(true).optional(),
    role: z.enum(ROLES),
    tenant: name.optional(),
    agent: name.optional(),
    anyAgent: z.literal(true).optional(),
    reason: reasonText.optional(),
  })
  .superRefine((input, context) => {
    if ((input.name === undefined) === (input.forMe === undefined)) {
      context.addIssue({ code: 'custom', message: 'give either name (a new principal) or forMe (your own)' });
    }
    if (input.role !== 'agent' && (input.agent !== undefined || input.anyAgent !== undefined)) {
      context.addIssue({ code: 'custom', message: 'agent and anyAgent are for agent tokens only' });
    }
    if (input.agent !== undefined && input.anyAgent !== undefined) {
      context.addIssue({ code: 'custom', message: 'give agent or anyAgent, not both' });
    }
  });

/** Body of `POST /v1/tokens/requests/:id/confirm`. */
export const AdminRequestConfirmSchema = z.strictObject({ reason: reasonText.optional() });

/** An enforcer's registration after validation. */
export type EnforcerRegistration = z.output<typeof EnforcerRegistrationSchema>;

/** A rule creation request after validation. */
export type RuleInput = z.output<typeof RuleInputSchema>;

/** A name (tenant, agent, run, tool, id): 1 to 200 characters, no control characters. */
export const NameSchema = name;

/** A reason for the audit log: trimmed, not empty, no control characters but tabs and line breaks. */
export const ReasonTextSchema = reasonText;

/** An ISO-8601 time with an offset. */
export const IsoTimeSchema = isoTime;
