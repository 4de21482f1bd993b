export type { Actor } from './actor.js';
export type {
  ApprovalCall,
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalRecord,
  ApprovalRequest,
  ApprovalStatus,
  ApprovalView,
} from './approval.js';
export { approvalHash, approvalStatus, approvalView } from './approval.js';
export type { Draft } from './draft.js';
export type {
  ApprovalRequestInput,
  BlockReport,
  DraftInput,
  IdempotencyBatch,
  IdempotencyBatchOp,
  IdempotencyClaimInput,
} from './governance-schemas.js';
export {
  ApprovalConsumeSchema,
  ApprovalDecisionInputSchema,
  ApprovalRequestInputSchema,
  BlockReportSchema,
  DraftInputSchema,
  IDEMPOTENCY_BATCH_MAX,
  IdempotencyBatchSchema,
  IdempotencyClaimInputSchema,
  IdempotencyCompleteSchema,
  IdempotencyReleaseSchema,
} from './governance-schemas.js';
export type { IdempotencyBatchResult, IdempotencyClaim, IdempotencyClaimAnswer } from './idempotency.js';
export { derivedIdempotencyKey, scopedIdempotencyKey } from './idempotency.js';
export { SYSTEM_ACTOR } from './actor.js';
export type { AuditAction, AuditDraft, AuditEntry, AuditHead, ChainVerification, Sha256 } from './audit.js';
export { AUDIT_ACTIONS, EMPTY_HEAD, GENESIS_HASH, chainEntries, verifyChain } from './audit.js';
export type { Call, Effect } from './call.js';
export { canonicalJson } from './canonical-json.js';
export { decide } from './decide.js';
export type { Decision, DecisionSource, Outcome } from './decision.js';
export { ALLOW, writeOutcome } from './decision.js';
export { MAX_DURATION_MS, durationText, parseDuration } from './duration.js';
export {
  ILL_FORMED_TEXT_MESSAGE,
  findIllFormedText,
  isWellFormedText,
  toWellFormedText,
  toWellFormedValue,
  wellFormedJson,
  wellFormedText,
} from './well-formed-text.js';
export type { Enforcement, RunsEnforcement } from './enforcement.js';
export type { EnforcerKind, EnforcerRecord } from './enforcer.js';
export type { ErrorCode } from './errors.js';
export { ERROR_CODES, EstopError, errorCodeForStatus, isEstopError } from './errors.js';
export { createMemoryStore } from './memory-store.js';
export { clientErrorAnswer, problemOf } from './problem.js';
export type { Mode, ModeSpec } from './modes.js';
export { MODES, MODE_ALIASES, MODE_TABLE, modeRank, moreRestrictive, parseMode } from './modes.js';
export type { ExplainOptions } from './explain-decision.js';
export { explainDecision } from './explain-decision.js';
export type { CommitLookup } from './plan-commit.js';
export { planCommit } from './plan-commit.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type {
  AdminRequestStore,
  ApprovalStore,
  AuditStore,
  DraftStore,
  IdempotencyStore,
  CommitRequest,
  CommitResult,
  EnforcerStore,
  RestoreRequestStore,
  RuleStore,
  Store,
  TokenStore,
} from './ports/store.js';
export type { NotificationStore } from './ports/notification-store.js';
export type { RunStore, SharedRun } from './ports/run-store.js';
export type {
  Delivery,
  DeliveryOutcome,
  DeliveryStatus,
  NewDelivery,
  NotifyEvent,
  ReceiverSummary,
} from './notification.js';
export { NOTIFY_EVENTS, notifyEventOf } from './notification.js';
export type { RestoreClass, RestoreRequest, RestoreRequestRecord, RestoreResolution } from './restore-request.js';
export { needsSecondApprover } from './restore-request.js';
export type { Rule, RuleLift, RuleRecord, RuleStatus } from './rule.js';
export type { BudgetUsage, Reservation, RunBudgets } from './run-budget.js';
export { MICRO_USD_PER_USD, RunBudget, toMicroUsd } from './run-budget.js';
export type { RunIdentity } from './run-rules.js';
export { ruleCancellingCall, ruleStoppingRun } from './run-rules.js';
export type { InFlightCall, RunEnd, RunHeartbeat, RunRecord, RunStart, RunStatus } from './run-schemas.js';
export {
  InFlightCallSchema,
  RunBudgetsSchema,
  RunEndSchema,
  RunHeartbeatSchema,
  RunIdSchema,
  RunKillSchema,
  RunStartSchema,
  RunStatusSchema,
  RunUsageSchema,
  StopReasonSchema,
} from './run-schemas.js';
export { isExpired, isInForce, isScheduled, ruleStatus } from './rule.js';
export type { SentinelCounter } from './ports/sentinel-counter.js';
export { createMemorySentinelCounter } from './memory-sentinel-counter.js';
export type { ObservedCall, SentinelGroup, SentinelGroupOf, SentinelSignal, SentinelSpec } from './sentinel.js';
export {
  SENTINEL_GROUPS,
  SENTINEL_SIGNALS,
  SentinelSpecs,
  sentinelActor,
  sentinelCountText,
  sentinelEnforces,
  sentinelGroupKey,
  sentinelLimit,
} from './sentinel.js';
export type { CompiledRule, RuleIndex } from './rule-index.js';
export { buildRuleIndex, compileRule, createFloor } from './rule-index.js';
export type { EnforcerRegistration, RuleInput } from './schemas.js';
export {
  AckBatchSchema,
  AckSchema,
  ActorSchema,
  AdminRequestConfirmSchema,
  CallSchema,
  ChangeEventSchema,
  ChangeSchema,
  DurationSchema,
  durationSchema,
  EffectSchema,
  EnforcerRegistrationSchema,
  IsoTimeSchema,
  KeepAliveSchema,
  LastEventIdSchema,
  LiftInputSchema,
  ModeSchema,
  RestoreConfirmSchema,
  RuleInputSchema,
  RuleLiftSchema,
  RuleSchema,
  ScopeSchema,
  StateSnapshotSchema,
  StreamResumeSchema,
  TokenInputSchema,
} from './schemas.js';
export type { Scope } from './scope.js';
export type { BudgetName, StopReason } from './stop-reason.js';
export { BUDGET_NAMES, budgetExceeded, isStopReason, killedBy, killingRule } from './stop-reason.js';
export { describeScope, isGlobalScope } from './scope.js';
export type { Change, ChangeEvent, StateSnapshot, StreamResume } from './state.js';
export { applyChange, applyResume } from './state.js';
export type { Role, TokenInfo, TokenRecord } from './token.js';
export { BOOTSTRAP_PRINCIPAL_ID, ROLES, isReservedPrincipalName, roleAllows } from './token.js';
export type { AdminRequest, AdminRequestRecord, AdminResolution } from './admin-request.js';
export type { ToolMatcher } from './tool-glob.js';
export { compileToolGlob, matchTool } from './tool-glob.js';
