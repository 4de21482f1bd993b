export { sha256Hex } from './sha256-hex.js';
export { runStoreConformance } from './store-conformance.js';
export { expectDataSurvivesReopen } from './reopen-case.js';
export {
  TOKENS_BEFORE_PRINCIPALS,
  TOKEN_COLUMNS_BEFORE_PRINCIPALS,
  expectTokensMigratedToPrincipals,
} from './token-migration-case.js';
export {
  ENFORCERS_BEFORE_REPLICAS,
  ENFORCER_COLUMNS_BEFORE_REPLICAS,
  REPLICAS_BEFORE_APPLIED,
  REPLICA_COLUMNS_BEFORE_APPLIED,
  expectEnforcersKeptThroughReplicas,
  expectHeartbeatsKeptThroughAppliedVersion,
} from './replica-migration-case.js';
export type { ClosableIdempotencyStore, IdempotencyClock } from './idempotency-cases.js';
export { runIdempotencyConformance } from './idempotency-conformance.js';
export { runSentinelCounterConformance } from './sentinel-counter-conformance.js';
