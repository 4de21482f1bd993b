export type { Caller, IdentityResolver } from './caller.js';
export type { GatewayConfig, HttpRoute, HttpUpstream, StdioUpstream } from './gateway-config.js';
export { GatewayFileSchema, isStdioUpstream, loadGatewayConfig, parseGatewayConfig } from './gateway-config.js';
export type { InFlightCall, InFlightCalls } from './in-flight-calls.js';
