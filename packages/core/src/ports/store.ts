import type { AuditDraft, AuditEntry, AuditHead } from '../audit.js';
import type { EnforcerRecord } from '../enforcer.js';
import type { RestoreRequest, RestoreRequestRecord, RestoreResolution } from '../restore-request.js';
import type { Rule, RuleLift, RuleRecord } from '../rule.js';
import type { ChangeEvent } from '../state.js';
import type { TokenRecord } from '../token.js';

/** One atomic change to the state: rules created and lifted, and what the audit log says of it. */
export interface CommitRequest {
  create?: readonly Rule[] | undefined;
  lift?: readonly RuleLift[] | undefined;
  /** Appended to the audit chain in the same transaction. */
  audit: readonly AuditDraft[];
  /** ISO-8601 time of the change; becomes the event's `at`. */
  at: string;
}

/** What a commit produced: the versioned event enforcers apply, and the chained audit entries. */
export interface CommitResult {
  event: ChangeEvent;
  audit: AuditEntry[];
}

/** Rules and the state version. */
export interface RuleStore {
  /** The current version and every active (not lifted) rule, oldest first. */
  state(): Promise<{ version: number; rules: Rule[] }>;
  /**
   * Applies creations and lifts as one version, atomically with its audit entries.
   * Throws `rule_not_found` if a lifted rule is not active, `conflict` if a created id exists;
   * then nothing is written.
   */
  commit(request: CommitRequest): Promise<CommitResult>;
  /** One rule, active or lifted. */
  get(id: string): Promise<RuleRecord | undefined>;
  /** Change events after `version`, in order, at most `limit`. */
  changesSince(version: number, limit?: number): Promise<ChangeEvent[]>;
}

/** The hash-chained audit log. */
export interface AuditStore {
  /** Chains and appends drafts atomically, returning the entries as stored. */
  append(drafts: readonly AuditDraft[]): Promise<AuditEntry[]>;
  /** Entries in chain order with `seq > afterSeq`, at most `limit` (default 1000). */
  list(query?: { afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  /** The last entry's position and hash. */
  head(): Promise<AuditHead>;
}

/** API tokens, stored by hash. */
export interface TokenStore {
  /** Stores a token and appends its audit entry in one transaction. */
  create(record: TokenRecord, audit: AuditDraft): Promise<AuditEntry>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  /** Marks a token revoked, with its audit entry; false if no active token has that id. */
  revoke(id: string, audit: AuditDraft): Promise<boolean>;
}

/** Enforcement points and what they last acknowledged. */
export interface EnforcerStore {
  /**
   * Creates or replaces enforcers' records, all in one transaction: acknowledgements from
   * thousands of enforcers are saved in batches, not one durable write each.
   */
  upsert(records: readonly EnforcerRecord[]): Promise<void>;
  /** Enforcers in order of first registration; with `seenSince` (ISO-8601), only those seen since. */
  list(query?: { seenSince?: string }): Promise<EnforcerRecord[]>;
}

/** Restore requests waiting for a second admin, and how each one ended. */
export interface RestoreRequestStore {
  /** Stores a pending request and appends its audit entry in one transaction; `conflict` if the id exists. */
  create(request: RestoreRequest, audit: AuditDraft): Promise<AuditEntry>;
  /** One request, pending or resolved. */
  get(id: string): Promise<RestoreRequestRecord | undefined>;
  /** Requests oldest first; with `pending: true`, only those without a resolution. */
  list(query?: { pending?: boolean }): Promise<RestoreRequestRecord[]>;
  /** Records how a pending request ended; false if no pending request has that id. */
  resolve(id: string, resolution: RestoreResolution): Promise<boolean>;
}

/**
 * Everything the control plane keeps. A write the store reports as done is durable.
 * Every adapter passes `runStoreConformance` from `@estop/core/testing`.
 */
export interface Store {
  readonly rules: RuleStore;
  readonly audit: AuditStore;
  readonly tokens: TokenStore;
  readonly enforcers: EnforcerStore;
  readonly restoreRequests: RestoreRequestStore;
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate(): Promise<void>;
  /**
   * Calls `onChange` soon after any process commits a change, so that replicas sharing the
   * store can pick it up at once rather than at their next poll. Optional: stores without it
   * are polled. Resolves once watching has started.
   */
  watchChanges?(onChange: () => void): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}
