export type { Logger } from './app.js';
export { createApp } from './app.js';
export { AuditWriter } from './audit-writer.js';
export type { ControlPlane, ControlPlaneOptions } from './control-plane.js';
export { createControlPlane } from './control-plane.js';
export type { Principal } from './principal.js';
export type { ServerConfig, ServerFlags } from './config.js';
export { loadServerConfig } from './config.js';
export { createJsonLogger, startServer } from './start-server.js';
