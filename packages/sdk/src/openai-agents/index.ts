export { guardAgentTools, type GuardAgentToolsOptions } from './guard-agent-tools.js';
