import type { AdminRequest, AdminRequestRecord, AdminResolution } from '../admin-request.js';
import type { ApprovalDecision, ApprovalRecord, ApprovalRequest } from '../approval.js';
import type { AuditDraft, AuditEntry, AuditHead } from '../audit.js';
import type { Draft } from '../draft.js';
import type { EnforcerRecord } from '../enforcer.js';
import type { IdempotencyClaim } from '../idempotency.js';
import type { NotificationStore } from './notification-store.js';
import type { RunStore } from './run-store.js';
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
  /**
   * The current version and every active (not lifted) rule, oldest first, with the store's
   * identity: written once when the store was created, the same on every read and every replica
   * (see StateSnapshot.storeId).
   */
  state(): Promise<{ version: number; rules: Rule[]; storeId: string }>;
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
  /**
   * Records that a scheduled rule has started: appends `audit` (its `rule-started` entry) and
   * marks the start recorded, in one transaction, once. True for the one caller that recorded it;
   * false, and nothing written, when it was recorded before or no rule has that id. Several
   * replicas on one store may all try; the audit log says it once.
   */
  recordStart(ruleId: string, audit: AuditDraft): Promise<boolean>;
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

/**
 * Enforcement points and what they last acknowledged, and the heartbeats of the replicas holding
 * their streams: a replica writes a record when something about it changes (registration, its
 * stream opening or closing, a new version, other calls in flight) and one heartbeat per flush
 * for all the enforcers it holds, so its writes do not grow with its enforcers.
 */
export interface EnforcerStore {
  /**
   * Creates or replaces enforcers' records, all in one transaction: acknowledgements from
   * thousands of enforcers are saved in batches, not one durable write each. With `writer` (the
   * id of the replica writing), a record naming no replica (its stream closed on the writer) does
   * not replace a record naming another replica: that replica holds the enforcer's stream now.
   */
  upsert(records: readonly EnforcerRecord[], writer?: string): Promise<void>;
  /**
   * Enforcers in order of first registration; with `seenSince` (ISO-8601), only those seen since.
   * A record naming a replica is seen when that replica's heartbeat last was, or when the record
   * was last written, whichever is later, and is listed with that time as its `lastSeenAt`. With
   * `notHeldBy` (a replica's id), the records naming that replica are left out: a replica reads
   * only the others' enforcers, which stays cheap however many it holds itself.
   */
  list(query?: { seenSince?: string; notHeldBy?: string }): Promise<EnforcerRecord[]>;
  /** Deletes the records of enforcers that deregistered; ids with no record are passed over. */
  remove(ids: readonly string[]): Promise<void>;
  /**
   * Records that the replica `replica` is alive at `at` (ISO-8601), for every record naming it,
   * and that every enforcer whose record names it and shows a version (above 0) has applied at
   * least `applied` (default 0): `list` answers such a record's version as the greater of its own
   * and `applied`, so that a replica whose enforcers all acknowledged a version writes one row,
   * not one per enforcer.
   */
  heartbeat(replica: string, at: string, applied?: number): Promise<void>;
  /**
   * Deletes, in one transaction, the records of enforcers last seen (as `list` sees them) before
   * `seenBefore` (ISO-8601), and the heartbeats older than that: departed enforcers, and the
   * enforcers and heartbeats of replicas that died, leave the store. Answers how many enforcer
   * records were deleted.
   */
  removeSeenBefore(seenBefore: string): Promise<number>;
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

/** New admin principals waiting for a second admin, and how each request ended. */
export interface AdminRequestStore {
  /** Stores a pending request and appends its audit entry in one transaction; `conflict` if the id exists. */
  create(request: AdminRequest, audit: AuditDraft): Promise<AuditEntry>;
  /** One request, pending or resolved. */
  get(id: string): Promise<AdminRequestRecord | undefined>;
  /** Requests oldest first; with `pending: true`, only those without a resolution. */
  list(query?: { pending?: boolean }): Promise<AdminRequestRecord[]>;
  /**
   * Records how a pending request ended and appends its audit entry, in one transaction; a
   * `confirmed` one also stores the request's token then (`conflict`, and nothing written, if its
   * id or hash is taken). False, and nothing written, if no pending request has that id.
   */
  resolve(id: string, resolution: AdminResolution, audit: AuditDraft): Promise<boolean>;
}

/** Approval requests for writes under `approval_gated`, their decisions and their single use. */
export interface ApprovalStore {
  /** Stores a pending request and appends its audit entry in one transaction; `conflict` if the id exists. */
  create(request: ApprovalRequest, audit: AuditDraft): Promise<AuditEntry>;
  /** One request, whatever its status. */
  get(id: string): Promise<ApprovalRecord | undefined>;
  /**
   * Requests oldest first; with `pending: true`, only undecided ones; with `tenant`, only
   * that tenant's; at most `limit` (default 1000), the newest ones when more match.
   */
  list(query?: { pending?: boolean; tenant?: string; limit?: number }): Promise<ApprovalRecord[]>;
  /**
   * Records the decision on a pending request and appends its audit entry in one transaction.
   * A `voided` decision may also replace an `approved` one whose call has not run yet (a newer,
   * more restrictive rule took its authority away). Otherwise false, and nothing written.
   */
  decide(id: string, decision: ApprovalDecision, audit: AuditDraft): Promise<boolean>;
  /**
   * Marks an approved request used, once: true only if it is approved, not yet used and its
   * hash is `hash`. Two callers racing for one approval: exactly one gets true.
   */
  consume(id: string, hash: string, at: string): Promise<boolean>;
}

/** Writes recorded, not executed, under `draft_only`. */
export interface DraftStore {
  /** Stores a draft and appends its audit entry in one transaction; `conflict` if the id exists. */
  create(draft: Draft, audit: AuditDraft): Promise<AuditEntry>;
  get(id: string): Promise<Draft | undefined>;
  /**
   * Drafts newest first; with `tenant`, only that tenant's; with `before` (an ISO-8601 time),
   * only older ones; at most `limit` (default 100).
   */
  list(query?: { tenant?: string; before?: string; limit?: number }): Promise<Draft[]>;
}

/**
 * Idempotency keys of write calls, shared by every process on the store: a duplicate within
 * the key's window is not run again. Keys arrive already scoped (`scopedIdempotencyKey`).
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for `ttlMs` from `nowMs`, atomically. An entry older than its ttl, or released,
   * counts as absent. See IdempotencyClaim for what comes back.
   */
  claim(key: string, nowMs: number, ttlMs: number): Promise<IdempotencyClaim>;
  /**
   * Stores the result of a claimed call (JSON), to live until the claim's ttl ends; false if
   * `claimId` no longer holds the key. Past the ttl, whether an unclaimed key is still held
   * depends on the store (Redis has dropped it, SQL keeps it until the next claim): false means
   * only that duplicates will not get this result.
   */
  complete(key: string, claimId: string, result: string): Promise<boolean>;
  /** Gives a claimed key up (the call failed), so a retry may run; false if `claimId` does not hold it. */
  release(key: string, claimId: string): Promise<boolean>;
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
  readonly adminRequests: AdminRequestStore;
  readonly approvals: ApprovalStore;
  readonly drafts: DraftStore;
  readonly idempotency: IdempotencyStore;
  /** The notification outbox: receivers' cursors over the audit log, and their deliveries. */
  readonly notifications: NotificationStore;
  /** Runs shared by the replicas on this store; absent where only one process uses it. */
  readonly runs?: RunStore;
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
