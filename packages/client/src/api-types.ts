import type {
  Actor,
  ApprovalView,
  AuditEntry,
  AuditHead,
  DeliveryStatus,
  Draft,
  Enforcement,
  EnforcerRecord,
  Mode,
  RestoreRequest,
  Role,
  Rule,
  RuleLift,
  RuleStatus,
  RunRecord,
  Scope,
  SentinelSpec,
  TokenInfo,
} from '@estop/core';
import type { DrillRecord, NotifyStatus, NotifyTestResult, RecordedDrill } from './notify-types.js';

/** `GET /v1/whoami`: the principal a token acts as. */
export interface WhoAmI {
  /** The token's id. */
  id: string;
  tokenId?: string | undefined;
  /** The person or service the token belongs to (`p_…`). */
  principalId?: string | undefined;
  name: string;
  role: Role;
  tenant?: string | undefined;
  agent?: string | undefined;
  anyAgent?: boolean | undefined;
}

/** A new admin principal waiting for a different admin to confirm, as `GET /v1/tokens/requests` lists it. */
export interface TokenRequestView {
  id: string;
  /** The token that confirming creates. */
  token: TokenInfo;
  requestedBy: Actor;
  reason?: string | undefined;
  at: string;
  expiresAt: string;
}

/** The body of `POST /v1/tokens`: `name` (a new principal) or `forMe`. */
export interface TokenRequest {
  name?: string | undefined;
  forMe?: true | undefined;
  role: Role;
  tenant?: string | undefined;
  agent?: string | undefined;
  anyAgent?: true | undefined;
  reason?: string | undefined;
}

/** What `POST /v1/tokens` answers: the token (201), or a request a different admin must confirm (202). */
export type CreatedToken =
  | { token: string; info: TokenInfo; request?: undefined }
  | { token: string; info?: undefined; request: TokenRequestView; message: string };

/** An enforcer as `GET /v1/enforcers` lists it. */
export type EnforcerStatus = EnforcerRecord & { connected: boolean; current: boolean };

/** The body of `POST /v1/rules`. */
export interface RuleRequest {
  scope: Scope;
  /** Absent: the control plane's configured default mode. */
  mode?: Mode | undefined;
  reason: string;
  /** A scheduled stop: an ISO-8601 time from which the rule takes effect. */
  startsAt?: string | undefined;
  /** From `startsAt` when given, else from now. */
  expiresIn?: string | undefined;
  cancelInFlight: boolean;
}

/**
 * A sentinel as `GET /v1/sentinels` shows it: its configuration, whether it enforces or runs in
 * shadow, what this control plane has seen of it, and its trips standing now with their window
 * against the threshold (`hot`: the cause continues, so lifting is refused without force).
 * Control planes older than shadow mode send the configuration alone.
 */
export type SentinelView = SentinelSpec & {
  enforce?: boolean | undefined;
  observed?:
    | {
        peak: number;
        peakAt?: string | undefined;
        trips: number;
        wouldTrips: number;
        lastWouldTripAt?: string | undefined;
      }
    | undefined;
  trips?:
    | {
        ruleId: string;
        scope: Scope;
        cause: { sentinel: string; count: number; threshold: number; windowMs: number; hot: boolean };
      }[]
    | undefined;
};

/** An active rule as `GET /v1/rules` lists it: `scheduled` until its start, then `active`. */
export type ListedRule = Rule & { status: RuleStatus };

/**
 * What `POST /v1/rules/:id/lift` answers: the lift (and, for a staged restore, the replacement),
 * or a restore request that a second admin must confirm.
 */
export type LiftAnswer =
  { lift: RuleLift; version: number; replacement?: Rule | undefined } | { request: RestoreRequest; message: string };

/** `GET /v1/audit/verify`. */
export type AuditVerification =
  { ok: true; entries: number; head: AuditHead } | { ok: false; entries: number; brokenAt: number; problem: string };

/** The topics `GET /v1/events` names when something changed. */
export const EVENT_TOPICS = ['rules', 'enforcers', 'runs', 'approvals', 'drafts', 'restore-requests', 'audit'] as const;

/** A topic of `GET /v1/events`. */
export type EventTopic = (typeof EVENT_TOPICS)[number];

/** Options for createApiClient. */
export interface ApiClientOptions {
  /** Base address of the control plane, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** Bearer token; requests go without one when absent (and the server answers 401). */
  token?: string | undefined;
  /** How long to wait for an answer beyond any server-side wait the request asks for. */
  timeoutMs?: number | undefined;
  /** Appended to an `unauthorized` refusal when no token was sent: where a token can come from. */
  missingTokenHint?: string | undefined;
  /** Appended to a `forbidden` refusal of a request that carried a token: where it came from, how to use another. */
  refusedTokenHint?: string | undefined;
}

/** A typed client of the control plane's operator API (docs/api.md), in Node or a browser. */
export interface ApiClient {
  whoami(): Promise<WhoAmI>;
  listRules(): Promise<{ version: number; rules: ListedRule[] }>;
  createRule(input: RuleRequest): Promise<{ rule: Rule; version: number }>;
  /**
   * With `to`, a staged restore: the rule is replaced by one of that less restrictive mode. With
   * `force`, a sentinel's trip is lifted even while its cause continues (otherwise `cause_continues`).
   */
  liftRule(id: string, reason: string, to?: Mode, force?: boolean): Promise<LiftAnswer>;
  listRestoreRequests(): Promise<{ requests: RestoreRequest[] }>;
  confirmRestoreRequest(
    id: string,
    reason: string,
    force?: boolean,
  ): Promise<{ request: RestoreRequest; lift: RuleLift; version: number; replacement?: Rule | undefined }>;
  /** With `ruleId`, the answer also counts the runs that rule stops (`runs`). */
  enforcement(version: number, waitMs: number, ruleId?: string): Promise<Enforcement>;
  listEnforcers(): Promise<{ version: number; enforcers: EnforcerStatus[] }>;
  listSentinels(): Promise<{ sentinels: SentinelView[] }>;
  /** Each notification receiver's outbox and the latest deliveries (with `status`, only those). */
  notifyStatus(query?: { status?: DeliveryStatus | undefined; limit?: number | undefined }): Promise<NotifyStatus>;
  /** Sends a `test` event to every receiver; each first attempt's outcome. */
  notifyTest(): Promise<{ results: NotifyTestResult[] }>;
  /** Puts a drill's result on the record (`drill-passed` or `drill-failed`, which is notified). */
  recordDrill(record: DrillRecord): Promise<RecordedDrill>;
  listAudit(query: {
    after?: number | undefined;
    limit?: number | undefined;
  }): Promise<{ entries: AuditEntry[]; head: AuditHead }>;
  verifyAudit(): Promise<AuditVerification>;
  listTokens(): Promise<{ tokens: TokenInfo[] }>;
  createToken(input: TokenRequest): Promise<CreatedToken>;
  revokeToken(id: string): Promise<void>;
  listTokenRequests(): Promise<{ requests: TokenRequestView[] }>;
  confirmTokenRequest(id: string, reason?: string): Promise<{ info: TokenInfo }>;
  listRuns(): Promise<{ runs: RunRecord[] }>;
  killRun(id: string, reason: string): Promise<{ rule: Rule; version: number; run: RunRecord | null }>;
  /** Pending approvals oldest first, or with `all`, the latest 1000 of any status. */
  listApprovals(query: { all: boolean }): Promise<{ approvals: ApprovalView[] }>;
  decideApproval(id: string, decision: 'approve' | 'deny', reason: string): Promise<ApprovalView>;
  /** Drafts newest first; `before` (ISO-8601) pages to older ones. */
  listDrafts(query: {
    tenant?: string | undefined;
    before?: string | undefined;
    limit?: number | undefined;
  }): Promise<{ drafts: Draft[] }>;
}
