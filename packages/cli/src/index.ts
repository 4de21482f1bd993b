export type {
  ApiClient,
  ApiClientOptions,
  AuditVerification,
  Enforcement,
  EnforcerStatus,
  RuleRequest,
} from './api-client.js';
export { createApiClient, waitForEnforcement } from './api-client.js';
export type { Connection } from './args.js';
export { DEFAULT_URL, resolveConnection } from './args.js';
export { audit } from './audit.js';
export type { Command, CommandIo } from './command.js';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './command.js';
export { kill } from './kill.js';
export { main } from './main.js';
export { restore } from './restore.js';
export { status } from './status.js';
export { tokens } from './tokens.js';
export { verify } from './verify.js';
