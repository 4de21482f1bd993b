import type { AuditDraft } from './audit.js';
import type { MemoryParts } from './memory-governance.js';
import { memoryRecords } from './memory-records.js';
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
export function memoryRequests<Stored extends RequestRecord>(parts: MemoryParts, noun: string) {
  const { open, copy } = parts;
  const { records, create, get } = memoryRecords<Stored>(parts, (id) => alreadyExists(noun, id, 'requestId'));
  return {
    create: (request: Stored['request'], audit: AuditDraft) => create(request.id, { request } as Stored, audit),
    get,
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
