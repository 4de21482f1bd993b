// The shapes the control plane's HTTP API answers with (docs/api.md), as @estop/core defines
// them. Only types come from core, and the dependency-free mode table: the browser bundle
// carries none of core's other code.
import type { EnforcerRecord } from '@estop/core';

export type {
  Actor,
  ApprovalView,
  AuditEntry,
  AuditHead,
  ChangeEvent,
  ChainVerification as AuditVerification,
  Enforcement,
  Mode,
  RestoreRequest,
  Rule,
  RunRecord,
  Scope,
  SentinelSpec,
  StateSnapshot,
} from '@estop/core';

/** `GET /v1/whoami`: the principal a token acts as. */
export type { WhoAmI as Principal } from '@estop/client';

/** A sentinel as `GET /v1/sentinels` shows it: enforcing or in shadow, its peak, its standing trips. */
export type { SentinelView } from '@estop/client';

/** `GET /v1/notify`: each notification receiver's outbox and the latest deliveries (no bodies). */
export type { DeliveryView, NotifyReceiverView, NotifyStatus } from '@estop/client';

// The graded modes, least to most restrictive, and what each means: core's mode table, whose
// subpath imports no code, so it is the one value the bundle takes from core.
export { MODES, MODE_TABLE } from '@estop/core/modes';

/** An enforcer as `GET /v1/enforcers` lists it. */
export interface EnforcerView extends EnforcerRecord {
  connected?: boolean | undefined;
  current?: boolean | undefined;
}

/** The topics `GET /v1/events` names when something changed. */
export { EVENT_TOPICS as TOPICS, type EventTopic as Topic } from '@estop/client';
