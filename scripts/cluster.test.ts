// The cluster test as part of the suite: `scripts/cluster.sh test` brings up HAProxy in front of
// three `estop serve` replicas on their own PostgreSQL and Redis, connects the guards and runs
// its five faults (a flip through the balancer, kill -9 of a replica, PostgreSQL restarted, Redis
// stopped, a replica frozen), with 3,000 guards in 3 processes (ESTOP_CLUSTER_ENFORCERS sets
// another number), in about a minute. Run alone, `scripts/cluster.sh test` also records its
// figures in bench/results.json; here it only prints them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENFORCERS = process.env.ESTOP_CLUSTER_ENFORCERS ?? '3000';
const RUN_BOUND_MS = 15 * 60_000;

/** What the cluster needs that this machine lacks, or undefined. */
function missing(): string | undefined {
  const pgBin = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0;
  const needs: [boolean, string][] = [
    [existsSync('/usr/sbin/haproxy'), 'haproxy (apt-get install -y haproxy)'],
    [pgBin, "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)"],
    [['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((path) => existsSync(path)), 'redis-server'],
    [existsSync(join(root, 'packages/cli/dist/bin.js')), 'the built packages (npm run build)'],
  ];
  const absent = needs.filter(([present]) => !present).map(([, what]) => what);
  return absent.length === 0 ? undefined : `the cluster test needs ${absent.join(', ')}`;
}

const skip = missing();
if (skip !== undefined && process.env.CI === 'true') {
  it('runs the cluster test under CI', () => assert.fail(skip));
}

describe('a cluster of three replicas behind HAProxy holds under faults', { skip }, () => {
  it(
    `scripts/cluster.sh test with ${ENFORCERS} guards: cluster: 5 passed, 0 failed`,
    { timeout: RUN_BOUND_MS },
    async () => {
      const child = spawn('bash', [join(root, 'scripts/cluster.sh'), 'test'], {
        cwd: root,
        env: { ...process.env, ESTOP_CLUSTER_NO_BUILD: '1', ESTOP_CLUSTER_ENFORCERS: ENFORCERS },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const keep = (chunk: Buffer) => {
        output += chunk.toString();
        process.stdout.write(chunk);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const verdict = /cluster: (\d+) passed, (\d+) failed/.exec(output);
      assert.ok(verdict !== null, `no verdict (exit ${code}); the last lines:\n${output.slice(-2000)}`);
      assert.deepEqual([verdict[1], verdict[2], code], ['5', '0', 0], output.slice(-4000));
    },
  );
});
