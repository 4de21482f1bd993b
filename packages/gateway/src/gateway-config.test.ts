import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEstopError } from '@estop/core';
import { isStdioUpstream, parseGatewayConfig } from './gateway-config.js';

const EXAMPLE = `
control_plane: {url: http://127.0.0.1:7070}
listen: {host: 127.0.0.1, port: 7080}
mcp:
  servers:
    mail:
      command: node
      args: [mail-server.js]
      env: {SMTP_PASSWORD: "\${SMTP_PASSWORD}"}
      tools: {send_email: write}
    docs:
      url: http://127.0.0.1:9000/mcp
      headers: {Authorization: "Bearer \${DOCS_TOKEN}"}
http:
  routes:
    email.send: {method: POST, upstream: "http://127.0.0.1:9100/send", effect: write, headers: {Authorization: "Bearer \${MAIL_KEY}"}}
    search.read: {method: get, upstream: "http://127.0.0.1:9100/search"}
`;

describe('the gateway configuration is validated, with secrets taken from the environment', () => {
  it("accepts the issue's example and substitutes variables", () => {
    const config = parseGatewayConfig(EXAMPLE, { SMTP_PASSWORD: 'p', DOCS_TOKEN: 'd', MAIL_KEY: 'k' });
    const mail = config.mcp.servers.mail;
    const docs = config.mcp.servers.docs;
    assert.ok(mail !== undefined && isStdioUpstream(mail));
    assert.deepEqual(mail.env, { SMTP_PASSWORD: 'p' });
    assert.ok(docs !== undefined && !isStdioUpstream(docs));
    assert.equal(docs.headers.Authorization, 'Bearer d');
    assert.equal(config.http.routes['email.send']?.headers.Authorization, 'Bearer k');
    assert.equal(config.http.routes['search.read']?.method, 'GET');
    assert.equal(config.timeout_ms, 30_000);
  });
  it('names every missing environment variable instead of sending an empty secret', () => {
    assert.throws(
      () => parseGatewayConfig(EXAMPLE, { SMTP_PASSWORD: 'p' }),
      (error) => isEstopError(error, 'config_invalid') && /DOCS_TOKEN, MAIL_KEY/.test(error.message),
    );
  });
  it('refuses unknown keys and bad URLs, naming where', () => {
    assert.throws(
      () => parseGatewayConfig('control_plane: {url: nope}\n', {}),
      (error) => isEstopError(error, 'config_invalid') && /control_plane\.url/.test(error.message),
    );
    assert.throws(() => parseGatewayConfig('control_plane: {url: http://x}\nlisten: {prot: 1}\n', {}), /prot/);
  });

  it('takes the control plane as one URL, a list of replicas or a comma-separated ${VAR}, read as a list', () => {
    const urls = ['http://cp-a:7070/', 'http://cp-b:7070/'];
    assert.deepEqual(parseGatewayConfig('control_plane: {url: http://cp-a:7070}\n', {}).control_plane.url, [urls[0]]);
    assert.deepEqual(
      parseGatewayConfig('control_plane: {url: [http://cp-a:7070, http://cp-b:7070]}\n', {}).control_plane.url,
      urls,
    );
    const env = { ESTOP_URL: 'http://cp-a:7070,http://cp-b:7070' };
    assert.deepEqual(parseGatewayConfig('control_plane: {url: "${ESTOP_URL}"}\n', env).control_plane.url, urls);
  });

  it('refuses an empty list and names each bad replica by its place', () => {
    assert.throws(
      () => parseGatewayConfig('control_plane: {url: []}\n', {}),
      (error) =>
        isEstopError(error, 'config_invalid') &&
        /control_plane\.url: must be a URL, a comma-separated list of URLs or a non-empty list of them/.test(
          error.message,
        ),
    );
    assert.throws(
      () => parseGatewayConfig('control_plane: {url: [http://cp-a:7070, "ftp://cp-b", http://cp-a:7070/]}\n', {}),
      (error) =>
        isEstopError(error, 'config_invalid') &&
        /control_plane\.url\.1: must use http or https, got ftp:/.test(error.message) &&
        /control_plane\.url\.2: lists http:\/\/cp-a:7070\/ again/.test(error.message),
    );
  });
});
