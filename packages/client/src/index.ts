export { MAX_LIST_PAGES, createApiClient } from './api-client.js';
export type {
  ApiClient,
  ApiClientOptions,
  AuditVerification,
  CreatedToken,
  EnforcerStatus,
  EventTopic,
  LiftAnswer,
  ListedRule,
  RuleRequest,
  SentinelView,
  TokenRequest,
  TokenRequestView,
  WhoAmI,
} from './api-types.js';
export { EVENT_TOPICS } from './api-types.js';
export type {
  DeliveryView,
  DrillRecord,
  NotifyReceiverView,
  NotifyStatus,
  NotifyTestResult,
  RecordedDrill,
} from './notify-types.js';
export type { EnforcementSource, RunStopStage } from './enforcement.js';
export { MAX_SERVER_WAIT_MS, allAcknowledged, fullyEnforced, runStopStage, waitForEnforcement } from './enforcement.js';
export { isNetworkError, networkError } from './network-error.js';
export type { DecodedProblem } from './problem-error.js';
export { decodeProblem, problemError } from './problem-error.js';
export { readEventStream } from './read-event-stream.js';
export type { PathParameterNames, PathParameters, Query, Route, RouteName } from './routes.js';
export { ROUTES, pathTo } from './routes.js';
export type { SseFrame } from './sse-frame.js';
export { sseFrame } from './sse-frame.js';
export type { SseEvent } from './sse-parser.js';
export { SseParser } from './sse-parser.js';
// The few values of core a browser user of the protocol needs (errors as the problem decoder makes
// them, and the role ranks the API checks), so that the dashboard imports core as types only.
export { EstopError, isEstopError, roleAllows } from '@estop/core';
