export { draftedToolResult } from './drafted-tool-result.js';
export { mcpToolEffect } from './mcp-tool-effect.js';
export { guardMcpClient, type GuardMcpClientOptions, type McpToolClient } from './guard-mcp-client.js';
export { ToolErrorResult } from './tool-error-result.js';
