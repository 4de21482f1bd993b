import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { TestContext } from 'node:test';

/** The Redis the tests use; ESTOP_TEST_REDIS_URL overrides it. */
export const redisUrl = process.env.ESTOP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Resolves true when Redis answers PING. When it does not, the test fails under CI (which must
 * have Redis) and is skipped elsewhere with a message naming what is missing.
 */
export async function redisReady(context: TestContext): Promise<boolean> {
  const { hostname, port } = new URL(redisUrl);
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve('no answer within 3 s');
    });
    socket.once('error', (error) => resolve(error.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().startsWith('+PONG') ? undefined : `unexpected answer ${data.toString().trim()}`);
    });
  });
  if (problem === undefined) return true;
  if (process.env.CI === 'true') assert.fail(`CI needs Redis at ${redisUrl}: ${problem}`);
  context.skip(`Redis is not reachable at ${redisUrl} (${problem})`);
  return false;
}
