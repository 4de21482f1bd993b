import type { ApprovalService } from './approvals/approval-service.js';
import type { AuditAggregator } from './audit/audit-aggregator.js';
import type { EnforcerRegistry } from './enforcers/enforcer-registry.js';
import type { Logger } from './logger.js';
import type { RestoreService } from './restores/restore-service.js';
import type { RuleService } from './rules/rule-service.js';
import type { RuleStarts } from './rules/rule-starts.js';
import type { SharedRuns } from './runs/shared-runs.js';
import type { SentinelService } from './sentinels/sentinel-service.js';
import type { OperatorTopic } from './stream/operator-events.js';
import type { TokenService } from './tokens/token-service.js';

/** What a control plane's periodic work touches. */
export interface HousekeepingDeps {
  rules: Pick<RuleService, 'expire'>;
  approvals: Pick<ApprovalService, 'expire' | 'voidCoveredBy'>;
  restoreRequests: Pick<RestoreService, 'expire'>;
  tokens: Pick<TokenService, 'expire'>;
  aggregator: Pick<AuditAggregator, 'flush'>;
  registry: Pick<EnforcerRegistry, 'flush'>;
  sharedRuns: Pick<SharedRuns, 'flush'>;
  sentinel: Pick<SentinelService, 'prune'> | undefined;
  starts: RuleStarts;
  notify: (topic: OperatorTopic) => void;
  logger: Logger;
  expiryCheckMs: number;
  auditIntervalMs: number;
}

/**
 * A replica's periodic work: rules, approvals, restore and admin requests that expire, scheduled
 * rules that start, the audit counts, its enforcers and runs written to the store (each second),
 * sentinel groups gone quiet. A failure is logged and tried again next time. Returns what stops it.
 */
export function startHousekeeping(deps: HousekeepingDeps): { close(): void } {
  const { logger, notify } = deps;
  const failed = (what: string) => (error: unknown) => logger.error(`${what} failed`, { error: String(error) });
  // Scheduled rules are pushed when created; when one starts, it is audited once (by whichever
  // replica gets there first) and voids the approvals it covers, and operator views refresh.
  const checkStarts = () =>
    deps.starts
      .check()
      .then((started) => {
        if (started.length === 0) return;
        notify('rules');
        notify('audit');
        const recorded = started.filter((start) => start.recorded).map((start) => start.rule);
        if (recorded.length > 0) deps.approvals.voidCoveredBy(recorded).catch(failed('voiding approvals'));
      })
      .catch(failed('recording rule starts'));
  // A start that passed while no replica ran is recorded now.
  void checkStarts();
  const timers = [
    setInterval(() => {
      deps.rules.expire().catch(failed('expiring rules'));
      void checkStarts();
    }, deps.expiryCheckMs),
    setInterval(() => {
      deps.approvals.expire().catch(failed('expiring approvals'));
      deps.restoreRequests.expire().catch(failed('expiring restore requests'));
      deps.tokens.expire().catch(failed('expiring admin requests'));
    }, deps.expiryCheckMs),
    setInterval(() => void deps.aggregator.flush(), deps.auditIntervalMs),
    setInterval(() => {
      deps.registry.flush().catch(failed('saving enforcers'));
      deps.sharedRuns.flush().catch(failed('sharing runs'));
    }, 1000),
    setInterval(() => deps.sentinel?.prune(), 10_000),
  ];
  for (const timer of timers) timer.unref();
  return {
    close() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
