export { draftedToolResult } from './drafted-tool-result.js';
export { guardMcpClient, type GuardMcpClientOptions, type McpToolClient } from './guard-mcp-client.js';
export { ToolErrorResult } from './tool-error-result.js';
