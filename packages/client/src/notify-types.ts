import type { AuditEntry, DeliveryStatus, Mode, NotifyEvent, Scope } from '@estop/core';

/** One receiver's outbox, as `GET /v1/notify` shows it (its origin, never its path or query). */
export interface NotifyReceiverView {
  receiver: string;
  name: string;
  format: 'json' | 'slack';
  signed: boolean;
  events: NotifyEvent[];
  cursor: number;
  pending: number;
  delivered: number;
  failed: number;
}

/** One delivery, without its body. */
export interface DeliveryView {
  id: string;
  receiver: string;
  name: string;
  event: NotifyEvent;
  seq?: number | undefined;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string | undefined;
  nextAttemptAt?: string | undefined;
  createdAt: string;
  deliveredAt?: string | undefined;
}

/** `GET /v1/notify`. */
export interface NotifyStatus {
  receivers: NotifyReceiverView[];
  deliveries: DeliveryView[];
}

/** What `POST /v1/notify/test` did at one receiver. */
export interface NotifyTestResult {
  receiver: string;
  name: string;
  delivery: string;
  attempt: { ok: true } | { ok: false; error: string };
}

/** Body of `POST /v1/drills`: what a drill found. */
export interface DrillRecord {
  ok: boolean;
  scope: Scope;
  mode?: Mode | undefined;
  ruleId?: string | undefined;
  steps?: Record<string, number> | undefined;
  problems: string[];
}

/** The audit entry a recorded drill became. */
export type RecordedDrill = { entry: AuditEntry };
