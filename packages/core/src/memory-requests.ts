import type { AuditDraft, AuditEntry } from './audit.js';
import type { MemoryParts } from './memory-governance.js';
import { alreadyExists } from './sql/new-records.js';

/** A request waiting for a second admin, as a store keeps it: the request, and its resolution once it has one. */
interface RequestRecord {
  request: { id: string };
  resolution?: unknown;
}

/**
 * Requests waiting for a second admin (restore and admin requests), held in memory: each
 * created once by id with its audit entry, listed (the pending ones, on request) in the order
 * they came, and resolved once.
 *
 * @example
 * const restoreRequests = memoryRequests<RestoreRequestRecord>(parts, 'restore request');
 */
export function memoryRequests<Stored extends RequestRecord>({ open, append, copy }: MemoryParts, noun: string) {
  const records = new Map<string, Stored>();
  return {
    async create(request: Stored['request'], audit: AuditDraft): Promise<AuditEntry> {
      open();
      if (records.has(request.id)) throw alreadyExists(noun, request.id, 'requestId');
      records.set(request.id, { request: copy(request) } as Stored);
      return append([audit])[0] as AuditEntry;
    },
    async get(id: string): Promise<Stored | undefined> {
      open();
      const record = records.get(id);
      return record === undefined ? undefined : copy(record);
    },
    async list(query?: { pending?: boolean | undefined }): Promise<Stored[]> {
      open();
      const pending = query?.pending === true;
      return copy([...records.values()].filter((record) => !pending || record.resolution === undefined));
    },
    /**
     * Records the resolution of a pending request and says whether it was pending; `effect`
     * runs first (and may refuse by throwing), once the request is known to be pending.
     */
    resolve(
      id: string,
      resolution: NonNullable<Stored['resolution']>,
      effect?: (request: Stored['request']) => void,
    ): boolean {
      open();
      const record = records.get(id);
      if (record === undefined || record.resolution !== undefined) return false;
      effect?.(record.request);
      records.set(id, { request: record.request, resolution: copy(resolution) } as Stored);
      return true;
    },
  };
}
