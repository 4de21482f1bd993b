import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMemoryStore } from '@estop/core';
import { createGatewayGuard, GatewayFileSchema } from '@estop/gateway';
import { createControlPlane } from '@estop/server';
import { eventually } from './mcp-harness.js';

const ADMIN_TOKEN = 'estop_restart-test-admin-token';

interface Line {
  level: 'info' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

describe('after the control plane restarts, the gateway logs that it is in step again', () => {
  it('follows the errors of the restart with a line saying the state is applied again', async () => {
    const store = createMemoryStore({ sha256: (text) => hash('sha256', text, 'hex') });
    // The store outlives the first control plane, as a database would; only the process restarts.
    const lasting = new Proxy(store, {
      get(target, property) {
        if (property === 'close') return async () => {};
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const options = { adminToken: ADMIN_TOKEN, store: lasting, restore: { secondApprover: [] } };
    const first = await createControlPlane(options);
    const url = await first.listen({ port: 0 });
    const port = Number(new URL(url).port);
    const response = await fetch(`${url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'gateway', role: 'enforcer' }),
    });
    const { token } = (await response.json()) as { token: string };
    const lines: Line[] = [];
    const record = (level: Line['level']) => (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level, message, fields });
    const config = GatewayFileSchema.parse({ control_plane: { url } });
    const guard = createGatewayGuard({ config, token, logger: { info: record('info'), error: record('error') } });
    let second: Awaited<ReturnType<typeof createControlPlane>> | undefined;
    try {
      await guard.ready();
      assert.equal(lines.length, 0);

      await first.close();
      await eventually(() => lines.some((line) => line.level === 'error'));
      second = await createControlPlane(options);
      await second.listen({ port });

      const recovered = await eventually(() => lines.find((line) => line.level === 'info'), 30_000);
      assert.match(recovered.message, /in step with the control plane again/);
      assert.equal(recovered.fields?.version, guard.version);
      // The restarted control plane no longer knows the enforcer: the request that opens the
      // stream registers it again, after the errors of the restart.
      const firstError = lines.findIndex((line) => line.level === 'error');
      assert.ok(firstError >= 0 && lines.indexOf(recovered) > firstError, 'the recovery follows the errors');
    } finally {
      await guard.close();
      await second?.close();
      await store.close();
    }
  });
});
