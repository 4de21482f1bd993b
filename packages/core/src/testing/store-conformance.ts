import { describe } from 'node:test';
import type { Store } from '../ports/store.js';
import { describeAdminRequests } from './admin-request-cases.js';
import { describeApprovals } from './approval-cases.js';
import { describeAudit } from './audit-cases.js';
import { describeAuditText } from './audit-text-cases.js';
import { describeChangeEvents } from './change-event-cases.js';
import { describeCommitFailures } from './commit-failure-cases.js';
import { describeConcurrency } from './concurrency-cases.js';
import { describeDrafts } from './draft-cases.js';
import { describeEnforcers } from './enforcer-cases.js';
import { describeIdempotency } from './idempotency-cases.js';
import { describeLifecycle } from './lifecycle-cases.js';
import { describeNotifications } from './notification-cases.js';
import { describeRestoreRequests } from './restore-request-cases.js';
import { describeRuleCommits } from './rule-commit-cases.js';
import { describeRuns } from './run-cases.js';
import { describeScheduledStarts } from './scheduled-start-cases.js';
import { describeStoreIdentity } from './store-identity-cases.js';
import { storeTest } from './store-test.js';
import { describeTokens } from './token-cases.js';

/**
 * The behaviour every `Store` adapter must show, as `node:test` suites: atomic versioned commits,
 * refusals that write nothing, exact round-trips, one audit hash chain under concurrency, tokens,
 * the store's identity, enforcers, restore requests, admin requests, approvals, drafts, idempotency keys and the notification outbox. `create` must return an
 * empty, migrated store built with `sha256Hex`; the suite closes every store it creates.
 *
 * @example
 * runStoreConformance({ name: 'memory store', create: async () => createMemoryStore({ sha256: sha256Hex }) });
 */
export function runStoreConformance(options: { name: string; create: () => Promise<Store> }): void {
  const test = storeTest(options.create);
  describe(`${options.name} conforms to the Store port`, () => {
    describeLifecycle(test);
    describeRuleCommits(test);
    describeStoreIdentity(test, options.create);
    describeScheduledStarts(test);
    describeCommitFailures(test);
    describeChangeEvents(test);
    describeAudit(test);
    describeAuditText(test);
    describeConcurrency(test);
    describeTokens(test);
    describeEnforcers(test);
    describeRestoreRequests(test);
    describeAdminRequests(test);
    describeApprovals(test);
    describeDrafts(test);
    describeNotifications(test);
    describeRuns(test);
    describeIdempotency((title, body) => test(title, (store) => body(store.idempotency)), 'caller');
  });
}
