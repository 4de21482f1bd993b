import type { Actor } from './actor.js';
import type { TokenRecord } from './token.js';

/**
 * A new admin principal waiting for a second admin. Once two or more admin principals exist,
 * no one admin may make another alone: the token is prepared (its secret went to whoever asked)
 * but stored, and usable, only when a different admin principal confirms.
 */
export interface AdminRequest {
  /** `ar_…`. */
  id: string;
  /** The token to create on confirmation, hash included; its principal is the new admin. */
  token: TokenRecord;
  requestedBy: Actor;
  reason?: string | undefined;
  /** ISO-8601 time of the request. */
  at: string;
  /** ISO-8601 time after which the request can no longer be confirmed. */
  expiresAt: string;
}

/** How an admin request stopped being pending. */
export interface AdminResolution {
  /** `confirmed` by a different admin principal (the token now exists), or `expired` unconfirmed. */
  outcome: 'confirmed' | 'expired';
  actor: Actor;
  reason?: string | undefined;
  /** ISO-8601 time of the resolution. */
  at: string;
}

/** An admin request together with its resolution, once it has one. */
export interface AdminRequestRecord {
  request: AdminRequest;
  resolution?: AdminResolution | undefined;
}
