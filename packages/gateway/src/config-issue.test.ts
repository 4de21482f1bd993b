import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGatewayConfig } from './gateway-config.js';

const TYPO = `
control_plane: {url: http://127.0.0.1:7070}
mcp:
  servers:
    s:
      comand: node
      args: [server.js]
`;

describe('a configuration typo names the key, the expected shape and the nearest known key', () => {
  it('names `comand`, suggests `command` and shows both server shapes', () => {
    assert.throws(
      () => parseGatewayConfig(TYPO, {}),
      (error: Error) =>
        error.message.includes('mcp.servers.s') &&
        error.message.includes('"comand"') &&
        error.message.includes('did you mean "command"') &&
        error.message.includes('command') &&
        error.message.includes('url'),
    );
  });
  it('suggests the nearest key of any strict section', () => {
    assert.throws(
      () => parseGatewayConfig('control_plane: {url: http://127.0.0.1:7070}\ntimout_ms: 5\n', {}),
      (error: Error) => error.message.includes('"timout_ms"') && error.message.includes('did you mean "timeout_ms"'),
    );
  });
});
