// The shapes the control plane's HTTP API answers with (docs/api.md). They mirror the types of
// @estop/core; the dashboard keeps its own copy so the browser bundle depends on nothing Node.

/** A role of a token, from least to most authority (`enforcer` and `agent` are for machines). */
export type Role = 'viewer' | 'operator' | 'admin' | 'enforcer' | 'agent';

/** `GET /v1/whoami`. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  tenant?: string | undefined;
}

/** The graded modes, from least to most restrictive. */
export const MODES = ['approval_gated', 'draft_only', 'read_only', 'full_stop'] as const;
export type Mode = (typeof MODES)[number];

export interface Scope {
  tenant?: string | undefined;
  agent?: string | undefined;
  run?: string | undefined;
  tool?: string | undefined;
}

export interface Actor {
  id: string;
  kind: 'human' | 'agent' | 'system';
}

export interface Rule {
  id: string;
  scope: Scope;
  mode: Mode;
  reason: string;
  actor: Actor;
  createdAt: string;
  expiresAt?: string | undefined;
  cancelInFlight: boolean;
}

export interface RuleLift {
  ruleId: string;
  actor: Actor;
  reason: string;
  at: string;
  expired: boolean;
}

export interface StateSnapshot {
  version: number;
  rules: Rule[];
  tools: Record<string, 'read' | 'write'>;
}

export type Change = { type: 'rule-created'; rule: Rule } | { type: 'rule-lifted'; lift: RuleLift };

export interface ChangeEvent {
  version: number;
  at: string;
  changes: Change[];
}

export interface RestoreRequest {
  id: string;
  ruleId: string;
  scope: Scope;
  mode: Mode;
  to?: Mode | undefined;
  requestedBy: Actor;
  reason: string;
  at: string;
}

export interface EnforcerView {
  id: string;
  name: string;
  kind: 'sdk' | 'gateway';
  host?: string | undefined;
  pid?: number | undefined;
  version: number;
  inFlight: number;
  lastSeenAt: string;
  connected?: boolean | undefined;
  current?: boolean | undefined;
}

export interface RunsEnforcement {
  affected: number;
  stopped: number;
  terminated: number;
  inFlight: number;
}

export interface Enforcement {
  version: number;
  acknowledged: number;
  total: number;
  ms?: number | undefined;
  pending: { id: string; name: string; version: number }[];
  runs?: RunsEnforcement | undefined;
}

export type RunStatus = 'running' | 'stopped' | 'ended' | 'lost';

export interface RunRecord {
  id: string;
  tenant: string;
  agent?: string | undefined;
  enforcer: string;
  status: RunStatus;
  stopReason?: string | undefined;
  startedAt: string;
  lastHeartbeatAt: string;
  endedAt?: string | undefined;
  inFlight: { tool: string; startedAt: string }[];
  usage?: { steps: number; toolCalls: number; spentUsd: number; reservedUsd: number } | undefined;
}

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'voided' | 'used';

export interface ApprovalView {
  id: string;
  hash: string;
  call: { tenant: string; agent?: string | undefined; run?: string | undefined; tool: string; args: unknown };
  ruleId?: string | undefined;
  enforcer?: string | undefined;
  requestedBy: Actor;
  at: string;
  expiresAt: string;
  status: ApprovalStatus;
  decision?: { outcome: string; actor: Actor; reason: string; at: string } | undefined;
}

export interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  actor: Actor;
  reason?: string | undefined;
  scope?: Scope | undefined;
  ruleId?: string | undefined;
  data?: Record<string, unknown> | undefined;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export type AuditVerification =
  { ok: true; entries: number; head: AuditHead } | { ok: false; entries: number; brokenAt: number; problem: string };

/** The topics `GET /v1/events` names when something changed. */
export const TOPICS = ['rules', 'enforcers', 'runs', 'approvals', 'drafts', 'restore-requests', 'audit'] as const;
export type Topic = (typeof TOPICS)[number];
