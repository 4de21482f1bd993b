import type { AuditDraft, AuditEntry } from './audit.js';
import type { EstopError } from './errors.js';
import type { MemoryParts } from './memory-governance.js';

/**
 * Records held in memory that are created once by id, each with its audit entry, and read back
 * as copies: what the in-memory requests, approvals and drafts are kept in. `taken` is the
 * `conflict` for an id already created.
 *
 * @example
 * const drafts = memoryRecords<Draft>(parts, (id) => conflict('draft', id));
 */
export function memoryRecords<Stored>({ open, append, copy }: MemoryParts, taken: (id: string) => EstopError) {
  const records = new Map<string, Stored>();
  return {
    /** The records themselves (not copies), for reads and changes in place. */
    records,
    async create(id: string, record: Stored, audit: AuditDraft): Promise<AuditEntry> {
      open();
      if (records.has(id)) throw taken(id);
      records.set(id, copy(record));
      return append([audit])[0] as AuditEntry;
    },
    async get(id: string): Promise<Stored | undefined> {
      open();
      const record = records.get(id);
      return record === undefined ? undefined : copy(record);
    },
  };
}
