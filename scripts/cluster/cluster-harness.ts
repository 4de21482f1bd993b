// What the cluster test drives: the cluster that scripts/cluster.sh brought up (its env file), the
// script's own commands to kill, freeze and restart its parts, the API through the load balancer
// or one replica, and the worker processes of guards.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Milliseconds since the epoch, with sub-millisecond resolution, comparable across processes. */
export const now = (): number => performance.timeOrigin + performance.now();

/** The cluster's ports and secrets, as scripts/cluster.sh wrote them. */
export interface Cluster {
  dir: string;
  lb: string;
  statsUrl: string;
  replicas: string[];
  adminToken: string;
}

/** Reads the env file of the cluster in ESTOP_CLUSTER_DIR. */
export function loadCluster(): Cluster {
  const dir = process.env.ESTOP_CLUSTER_DIR;
  if (dir === undefined) throw new Error('ESTOP_CLUSTER_DIR is not set: run scripts/cluster.sh test');
  const env = Object.fromEntries(
    readFileSync(join(dir, 'env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const count = Number(env.ESTOP_CLUSTER_REPLICAS ?? 3);
  return {
    dir,
    lb: env.ESTOP_LB_URL as string,
    statsUrl: `http://127.0.0.1:${env.ESTOP_LB_STATS_PORT}/stats;csv`,
    replicas: Array.from({ length: count }, (_, index) => `http://127.0.0.1:${env[`ESTOP_CP${index + 1}_PORT`]}`),
    adminToken: env.ESTOP_ADMIN_TOKEN as string,
  };
}

/** Runs one of scripts/cluster.sh's commands on the cluster (replica-kill 2 STOP, pg-stop, ...). */
export function clusterCommand(...args: string[]): void {
  execFileSync(join(root, 'scripts/cluster.sh'), args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Sends SIGKILL to replica `n` (1-based) at once, without waiting for it to be gone as
 * `scripts/cluster.sh replica-kill` does (which takes over a second where the process is reaped
 * late): what follows a kill in a check then starts at the kill.
 */
export function killReplicaNow(cluster: Cluster, n: number): void {
  const pid = Number(readFileSync(join(cluster.dir, `replica-${n}.pid`), 'utf8').trim());
  process.kill(pid, 'SIGKILL');
}

/** Each replica's resident memory in MiB (NaN where it is not running), from /proc. */
export function replicaMemoryMb(cluster: Cluster): number[] {
  return cluster.replicas.map((_, index) => {
    try {
      const pid = readFileSync(join(cluster.dir, `replica-${index + 1}.pid`), 'utf8').trim();
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? Number.NaN : Math.round(Number(kb) / 1024);
    } catch {
      return Number.NaN;
    }
  });
}

/** How many enforcers each replica has a stream open to (its `/metrics`), NaN for one that does not answer. */
export async function connectedPerReplica(cluster: Cluster): Promise<number[]> {
  return Promise.all(
    cluster.replicas.map(async (base) => {
      const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      if (response === undefined || !response.ok) return Number.NaN;
      const count = /^estop_enforcers_connected (\d+)/m.exec(await response.text())?.[1];
      return count === undefined ? Number.NaN : Number(count);
    }),
  );
}

/** An API answer: the status (0 when the request failed or timed out) and the parsed body. */
export interface Answer {
  status: number;
  body: any;
}

/** Calls the API as the admin at `base`; POST with a body. Never throws: a failure is status 0. */
export async function api(
  cluster: Cluster,
  base: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<Answer> {
  try {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a load balancer's page): kept as text.
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

/** Whether HAProxy marks the replica `server` (cp1, cp2, ...) `state` (UP or DOWN). */
export async function balancerSays(cluster: Cluster, server: string, state: 'UP' | 'DOWN'): Promise<boolean> {
  const response = await fetch(cluster.statsUrl).catch(() => undefined);
  if (response === undefined) return false;
  const line = (await response.text()).split('\n').find((row) => row.startsWith(`control_plane,${server},`));
  return line?.split(',')[17]?.startsWith(state) ?? false;
}

/** Resolves once `condition` holds, checking every `everyMs`; false if `timeoutMs` passes first. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(everyMs);
  }
  return condition();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first message from `child` satisfying `predicate`. */
export function messageFrom(child: ChildProcess, predicate: (message: any) => boolean): Promise<any> {
  return new Promise((resolve, reject) => {
    const listener = (received: any) => {
      if (!predicate(received)) return;
      child.off('message', listener);
      child.off('exit', onExit);
      resolve(received);
    };
    const onExit = (code: number | null) => {
      child.off('message', listener);
      reject(new Error(`a guard worker exited with ${code}`));
    };
    child.on('message', listener);
    child.once('exit', onExit);
  });
}

/** Starts `processes` workers of `perProcess` guards each, on every replica's URL; resolves once all are ready. */
export async function startWorkers(
  cluster: Cluster,
  token: string,
  processes: number,
  perProcess: number,
  staleAfterMs: number,
): Promise<ChildProcess[]> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const workers = Array.from({ length: processes }, (_, index) =>
    fork(
      fileURLToPath(new URL('./enforcer-worker.ts', import.meta.url)),
      [cluster.replicas.join(','), token, String(perProcess), `cluster-${index}`, String(staleAfterMs)],
      { execArgv: ['--conditions=source', '--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    ),
  );
  await Promise.all(workers.map((worker) => messageFrom(worker, (message) => message.ready === true)));
  return workers;
}

/** Sends `message` to every worker and gathers each one's answer that satisfies `predicate`. */
export function askAll(workers: ChildProcess[], message: unknown, predicate: (answer: any) => boolean): Promise<any[]> {
  return Promise.all(
    workers.map((worker) => {
      const answer = messageFrom(worker, predicate);
      worker.send(message as object);
      return answer;
    }),
  );
}
