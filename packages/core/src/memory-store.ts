import type { AdminRequestRecord } from './admin-request.js';
import { EMPTY_HEAD, chainEntries, type AuditDraft, type AuditEntry, type AuditHead, type Sha256 } from './audit.js';
import type { EnforcerRecord } from './enforcer.js';
import { memoryRunStore } from './memory-run-store.js';
import { EstopError } from './errors.js';
import { memoryApprovalStore, memoryDraftStore, memoryIdempotencyStore } from './memory-governance.js';
import { memoryNotificationStore } from './memory-notifications.js';
import { memoryRequests } from './memory-requests.js';
import { planCommit } from './plan-commit.js';
import type { CommitRequest, CommitResult, Store } from './ports/store.js';
import type { RestoreRequestRecord } from './restore-request.js';
import type { RuleRecord } from './rule.js';
import type { ChangeEvent } from './state.js';
import type { TokenRecord } from './token.js';

const DEFAULT_AUDIT_PAGE = 1000;

/**
 * Values go in and out through JSON, as they do in a database: callers cannot change what is
 * stored by mutating what they passed or got back, and `undefined` members disappear.
 */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * A store held in memory, for tests and for trying estop out. It passes the same conformance suite
 * as the SQLite and PostgreSQL stores: commits are atomic, failed ones write nothing, and the audit
 * log is one hash chain. Nothing survives the process.
 *
 * @example
 * const store = createMemoryStore({ sha256: (text) => createHash('sha256').update(text).digest('hex') });
 */
export function createMemoryStore(options: { sha256: Sha256 }): Store {
  const { sha256 } = options;
  // Map iteration follows insertion, which gives "oldest first" for rules, tokens and enforcers.
  const rules = new Map<string, RuleRecord>();
  /** Scheduled rules whose start is in the audit log. */
  const startsRecorded = new Set<string>();
  const events: ChangeEvent[] = [];
  const entries: AuditEntry[] = [];
  const tokens = new Map<string, TokenRecord>();
  const enforcers = new Map<string, EnforcerRecord>();
  /** Each replica's last heartbeat (when, and the version its enforcers applied), by replica id. */
  const heartbeats = new Map<string, { at: string; applied: number }>();
  const restoreRequests = memoryRequests<RestoreRequestRecord>({ open, append, copy }, 'restore request');
  const adminRequests = memoryRequests<AdminRequestRecord>({ open, append, copy }, 'admin request');
  // The store's identity: a new store (a process's memory) is another store.
  const storeId = crypto.randomUUID();
  let closed = false;

  function open(): void {
    if (closed) throw new EstopError({ code: 'unavailable', message: 'the store is closed' });
  }

  /** The last heartbeat of the replica an enforcer's record names, if any. */
  function heartbeatOf(record: EnforcerRecord): { at: string; applied: number } | undefined {
    return record.replica === undefined ? undefined : heartbeats.get(record.replica);
  }

  /** When an enforcer was last seen: its replica's last heartbeat, or its record's last write if later. */
  function seenAt(record: EnforcerRecord, heartbeat = heartbeatOf(record)): string {
    return heartbeat !== undefined && heartbeat.at > record.lastSeenAt ? heartbeat.at : record.lastSeenAt;
  }

  /** The version an enforcer applied: its record's, or, when it shows one, its replica's heartbeat's if greater. */
  function appliedBy(record: EnforcerRecord, heartbeat = heartbeatOf(record)): number {
    return record.version > 0 && heartbeat !== undefined && heartbeat.applied > record.version
      ? heartbeat.applied
      : record.version;
  }

  function head(): AuditHead {
    const last = entries.at(-1);
    return last === undefined ? { ...EMPTY_HEAD } : { seq: last.seq, hash: last.hash };
  }

  function append(drafts: readonly AuditDraft[]): AuditEntry[] {
    const chained = chainEntries(head(), copy(drafts), sha256);
    entries.push(...chained);
    return copy(chained);
  }

  function commit(request: CommitRequest): CommitResult {
    const existing = new Set((request.create ?? []).map((rule) => rule.id).filter((id) => rules.has(id)));
    const active = new Set(
      (request.lift ?? [])
        .map((lift) => lift.ruleId)
        .filter((id) => {
          const record = rules.get(id);
          return record !== undefined && record.lift === undefined;
        }),
    );
    // Everything that can fail is checked before anything is written, so a refused commit leaves no trace.
    const changes = copy(planCommit(request, { existing, active }));
    for (const change of changes) {
      if (change.type === 'rule-created') rules.set(change.rule.id, { rule: change.rule });
      else
        rules.set(change.lift.ruleId, { rule: (rules.get(change.lift.ruleId) as RuleRecord).rule, lift: change.lift });
    }
    const event: ChangeEvent = { version: events.length + 1, at: request.at, changes };
    events.push(event);
    return { event: copy(event), audit: append(request.audit) };
  }

  function createToken(record: TokenRecord): void {
    const taken = [...tokens.values()].some((token) => token.id === record.id || token.hash === record.hash);
    if (taken) {
      throw new EstopError({
        code: 'conflict',
        message: `token "${record.id}" already exists`,
        details: { tokenId: record.id },
      });
    }
    tokens.set(record.id, copy(record));
  }

  const parts = { open, append, copy };
  return {
    approvals: memoryApprovalStore(parts),
    drafts: memoryDraftStore(parts),
    idempotency: memoryIdempotencyStore(parts),
    notifications: memoryNotificationStore({ ...parts, head }),
    runs: memoryRunStore(open),
    rules: {
      async state() {
        open();
        const active = [...rules.values()].filter((record) => record.lift === undefined).map((record) => record.rule);
        return { version: events.length, rules: copy(active), storeId };
      },
      async commit(request) {
        open();
        return commit(request);
      },
      async get(id) {
        open();
        const record = rules.get(id);
        return record === undefined ? undefined : copy(record);
      },
      async changesSince(version, limit) {
        open();
        const after = events.filter((event) => event.version > version);
        return copy(limit === undefined ? after : after.slice(0, Math.max(0, limit)));
      },
      async recordStart(ruleId, audit) {
        open();
        if (!rules.has(ruleId) || startsRecorded.has(ruleId)) return false;
        startsRecorded.add(ruleId);
        append([audit]);
        return true;
      },
    },
    audit: {
      async append(drafts) {
        open();
        return append(drafts);
      },
      async list(query = {}) {
        open();
        const { afterSeq = 0, limit = DEFAULT_AUDIT_PAGE } = query;
        return copy(entries.filter((entry) => entry.seq > afterSeq).slice(0, Math.max(0, limit)));
      },
      async head() {
        open();
        return head();
      },
    },
    tokens: {
      async create(record, audit) {
        open();
        createToken(record);
        return append([audit])[0] as AuditEntry;
      },
      async findByHash(hash) {
        open();
        const found = [...tokens.values()].find((token) => token.hash === hash);
        return found === undefined ? undefined : copy(found);
      },
      async list() {
        open();
        return copy([...tokens.values()]);
      },
      async revoke(id, audit) {
        open();
        const token = tokens.get(id);
        if (token === undefined || token.revokedAt !== undefined) return false;
        // The audit entry's time is the revocation time, so the record and the log agree.
        tokens.set(id, { ...token, revokedAt: audit.at });
        append([audit]);
        return true;
      },
    },
    enforcers: {
      async upsert(records, writer) {
        open();
        for (const record of records) {
          const held = enforcers.get(record.id)?.replica;
          const yields = writer !== undefined && record.replica === undefined && held !== undefined && held !== writer;
          if (!yields) enforcers.set(record.id, copy(record));
        }
      },
      async list(query) {
        open();
        const since = query?.seenSince;
        const notHeldBy = query?.notHeldBy;
        return [...enforcers.values()]
          .filter((record) => notHeldBy === undefined || record.replica !== notHeldBy)
          .map((record) => {
            const heartbeat = heartbeatOf(record);
            return { ...copy(record), version: appliedBy(record, heartbeat), lastSeenAt: seenAt(record, heartbeat) };
          })
          .filter((record) => since === undefined || record.lastSeenAt >= since);
      },
      async remove(ids) {
        open();
        for (const id of ids) enforcers.delete(id);
      },
      async heartbeat(replica, at, applied = 0) {
        open();
        heartbeats.set(replica, { at, applied });
      },
      async removeSeenBefore(seenBefore) {
        open();
        let removed = 0;
        for (const [id, record] of enforcers) {
          if (seenAt(record) < seenBefore && enforcers.delete(id)) removed += 1;
        }
        for (const [replica, { at }] of heartbeats) if (at < seenBefore) heartbeats.delete(replica);
        return removed;
      },
    },
    restoreRequests: {
      create: restoreRequests.create,
      get: restoreRequests.get,
      list: restoreRequests.list,
      async resolve(id, resolution) {
        return restoreRequests.resolve(id, resolution);
      },
    },
    adminRequests: {
      create: adminRequests.create,
      get: adminRequests.get,
      list: adminRequests.list,
      async resolve(id, resolution, audit) {
        const resolved = adminRequests.resolve(id, resolution, (request) => {
          if (resolution.outcome === 'confirmed') createToken(request.token);
        });
        if (resolved) append([audit]);
        return resolved;
      },
    },
    async migrate() {
      open();
    },
    async close() {
      closed = true;
    },
  };
}
