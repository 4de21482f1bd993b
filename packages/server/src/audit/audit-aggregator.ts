import type { AuditDraft, BlockReport, Clock } from '@estop/core';
import type { Logger } from '../logger.js';
import type { AuditWriter } from './audit-writer.js';

interface Tally {
  draft: Omit<AuditDraft, 'at' | 'data'>;
  data: { enforcer: string; tool: string; count: number; from: string; to: string; mode?: string; source?: string };
}

/**
 * Counts that would flood the audit log one by one (calls refused by enforcers, duplicate
 * writes suppressed) and are appended as one entry per key per interval: `calls-blocked` per
 * (rule, tool, enforcer) and `duplicates-suppressed` per (tenant, tool, enforcer).
 */
export class AuditAggregator {
  readonly #audit: AuditWriter;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onFlushed: () => void;
  #tallies = new Map<string, Tally>();

  constructor(deps: { audit: AuditWriter; clock: Clock; logger: Logger; onFlushed?: () => void }) {
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#onFlushed = deps.onFlushed ?? (() => {});
  }

  /** One duplicate write suppressed for `tenant`'s `tool`, reported by `enforcer` (token `actor`). */
  duplicate(actor: string, enforcer: string, tenant: string, tool: string): void {
    const at = new Date(this.#clock.now()).toISOString();
    this.#add(JSON.stringify(['duplicates', actor, enforcer, tenant, tool]), 1, at, at, () => ({
      draft: {
        action: 'duplicates-suppressed',
        actor: { id: actor, kind: 'agent' },
        reason: `duplicate calls of ${tool} suppressed`,
        scope: { tenant, tool },
      },
      data: { enforcer, tool, count: 0, from: at, to: at },
    }));
  }

  /** An enforcer's report of the calls it refused, merged per (rule, tool, tenant) until the next flush. */
  blocks(actor: string, enforcer: string, report: BlockReport): void {
    for (const count of report.counts) {
      const key = JSON.stringify([
        'blocked',
        actor,
        enforcer,
        count.ruleId,
        count.tool,
        count.tenant,
        count.mode,
        count.source,
      ]);
      this.#add(key, count.count, report.from, report.to, () => ({
        draft: {
          action: 'calls-blocked',
          actor: { id: actor, kind: 'agent' },
          reason: `calls of ${count.tool} refused${count.mode === undefined ? '' : ` (${count.mode})`}`,
          scope: count.tenant === undefined ? undefined : { tenant: count.tenant },
          ruleId: count.ruleId,
        },
        data: {
          enforcer,
          tool: count.tool,
          count: 0,
          from: report.from,
          to: report.to,
          mode: count.mode,
          source: count.source,
        },
      }));
    }
  }

  /** Appends one entry per tally and starts counting afresh; resolves once they are durable. */
  async flush(): Promise<void> {
    if (this.#tallies.size === 0) return;
    const tallies = [...this.#tallies.values()];
    this.#tallies = new Map();
    const at = new Date(this.#clock.now()).toISOString();
    try {
      await Promise.all(tallies.map((tally) => this.#audit.append({ ...tally.draft, at, data: tally.data })));
      this.#onFlushed();
    } catch (error) {
      this.#logger.error('appending aggregated audit entries failed', {
        error: String(error),
        entries: tallies.length,
      });
    }
  }

  #add(key: string, count: number, from: string, to: string, create: () => Tally): void {
    const tally = this.#tallies.get(key) ?? create();
    tally.data.count += count;
    if (from < tally.data.from) tally.data.from = from;
    if (to > tally.data.to) tally.data.to = to;
    this.#tallies.set(key, tally);
  }
}
