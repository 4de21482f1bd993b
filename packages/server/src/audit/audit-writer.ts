import type { AuditDraft, AuditEntry, AuditStore } from '@estop/core';

/**
 * Appends audit entries with group commit: drafts that arrive while a batch is being written
 * go together into the next one, so each durable transaction carries many entries. Each
 * caller's promise resolves only once its entry is durable.
 */
export class AuditWriter {
  private queue: { draft: AuditDraft; resolve: (entry: AuditEntry) => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly store: AuditStore,
    private readonly maxBatch = 5000,
  ) {}

  /** Appends one entry; resolves with it, chained, once it is durable. */
  append(draft: AuditDraft): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ draft, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const entries = await this.store.append(batch.map((item) => item.draft));
        batch.forEach((item, index) => item.resolve(entries[index] as AuditEntry));
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.writing = false;
  }
}
