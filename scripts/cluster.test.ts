// Runs the cluster test under faults (scripts/cluster.sh test): 3 replicas behind HAProxy on their
// own PostgreSQL and Redis, 3,000 guards, a replica killed, PostgreSQL restarted, Redis stopped and
// a replica frozen. It needs haproxy, redis-server and PostgreSQL's server binaries: outside CI a
// machine without them skips it, saying which are missing; under CI (CI=true) that is a failure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0 || existsSync(`/usr/sbin/${command}`);
}

const postgresBinaries = existsSync('/usr/lib/postgresql')
  ? readdirSync('/usr/lib/postgresql').some((version) => existsSync(`/usr/lib/postgresql/${version}/bin/initdb`))
  : false;
const missing = [
  ...(onPath('haproxy') ? [] : ['haproxy']),
  ...(onPath('redis-server') ? [] : ['redis-server']),
  ...(postgresBinaries ? [] : ['PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)']),
];
const underCi = process.env.CI === 'true';
const skip = !underCi && missing.length > 0 ? `cluster test skipped: missing ${missing.join(', ')}` : false;

describe('a cluster of replicas behind HAProxy under faults', () => {
  it('scripts/cluster.sh test passes every check', { skip, timeout: 600_000 }, () => {
    assert.deepEqual(missing, [], `the cluster test needs ${missing.join(', ')}`);
    const result = spawnSync(fileURLToPath(new URL('./cluster.sh', import.meta.url)), ['test'], {
      stdio: 'inherit',
      // npm test has built the packages; bounded so that a wedged cluster cannot hold CI.
      env: { ...process.env, ESTOP_CLUSTER_NO_BUILD: '1' },
      timeout: 540_000,
      killSignal: 'SIGTERM',
    });
    assert.equal(result.status, 0, 'the cluster test failed (its checks are printed above)');
  });
});
