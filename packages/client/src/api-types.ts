import type {
  Actor,
  AuditHead,
  EnforcerRecord,
  Mode,
  RestoreRequest,
  Role,
  Rule,
  RuleLift,
  Scope,
  TokenInfo,
} from '@estop/core';

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
  expiresIn?: string | undefined;
  cancelInFlight: boolean;
}

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
