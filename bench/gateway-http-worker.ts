// The processes of the gateway.http benchmark apart from the gateway's own: `upstream` is the
// tool the calls go to, `bare-proxy PORT` is the least a node:http proxy does (no identity, no
// decision, no header rules), as a reference for what this machine allows, and `client`
// generates the load and times it. Driven over IPC by gateway-http.bench.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from './stats.js';

interface ClientPlan {
  direct: string;
  gateway: string;
  bare: string;
  token: string;
  rounds: number;
  perRound: number;
  warmup: number;
  concurrency: number;
  seconds: number;
}

const BODY = JSON.stringify({ to: 'someone@example.com', subject: 'bench', text: 'x'.repeat(32) });

function startUpstream(): void {
  const answer = JSON.stringify({ ok: true });
  const server = http.createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

function startBareProxy(upstreamPort: number): void {
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      {
        hostname: '127.0.0.1',
        port: upstreamPort,
        path: '/send',
        method: request.method,
        headers: request.rawHeaders,
        agent,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.rawHeaders);
        upstreamResponse.pipe(response);
      },
    );
    request.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

function caller(target: string, token: string | undefined, agent: http.Agent): () => Promise<void> {
  const url = new URL(target);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(BODY)),
  };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const options: http.RequestOptions = {
    hostname: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers,
    agent,
  };
  return () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(options, (response) => {
        response.on('data', () => {});
        response.on('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`${target} answered ${response.statusCode}`)),
        );
      });
      request.on('error', reject);
      request.end(BODY);
    });
}

async function sequential(call: () => Promise<void>, count: number, samples: number[]): Promise<void> {
  for (let index = 0; index < count; index++) {
    const start = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
}

/** Asks the gateway's process how much CPU time it has used, in microseconds. */
function cpuOfGateway(): Promise<number> {
  return new Promise((resolve) => {
    process.once('message', (reply: { cpu: number }) => resolve(reply.cpu));
    process.send?.({ cpu: true });
  });
}

async function throughput(
  call: () => Promise<void>,
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; completed: number }> {
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await call();
      completed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { perSecond: completed / ((performance.now() - start) / 1000), completed };
}

async function runClient(plan: ClientPlan): Promise<Record<string, number>> {
  const one = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const direct = caller(plan.direct, undefined, one);
  const viaGateway = caller(plan.gateway, plan.token, new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const viaBare = caller(plan.bare, undefined, new http.Agent({ keepAlive: true, maxSockets: 1 }));
  await sequential(direct, plan.warmup, []);
  await sequential(viaGateway, plan.warmup, []);
  await sequential(viaBare, plan.warmup, []);
  // Interleaved rounds, so drift in the machine's load affects both series alike.
  const directSamples: number[] = [];
  const gatewaySamples: number[] = [];
  const bareSamples: number[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    await sequential(direct, plan.perRound, directSamples);
    await sequential(viaGateway, plan.perRound, gatewaySamples);
    await sequential(viaBare, plan.perRound, bareSamples);
  }
  const many = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const directMany = caller(plan.direct, undefined, many);
  const gatewayMany = caller(
    plan.gateway,
    plan.token,
    new http.Agent({ keepAlive: true, maxSockets: plan.concurrency }),
  );
  await throughput(gatewayMany, plan.concurrency, 0.5);
  const cpuBefore = await cpuOfGateway();
  const loaded = await throughput(gatewayMany, plan.concurrency, plan.seconds);
  const cpuAfter = await cpuOfGateway();
  const gatewayCpuPerCall = (cpuAfter - cpuBefore) / loaded.completed;
  const directLoaded = await throughput(directMany, plan.concurrency, plan.seconds);
  const bareMany = caller(plan.bare, undefined, new http.Agent({ keepAlive: true, maxSockets: plan.concurrency }));
  const bareLoaded = await throughput(bareMany, plan.concurrency, plan.seconds);
  return {
    direct_p50_us: percentile(directSamples, 50),
    direct_p99_us: percentile(directSamples, 99),
    via_gateway_p50_us: percentile(gatewaySamples, 50),
    via_gateway_p99_us: percentile(gatewaySamples, 99),
    calls_per_s: loaded.perSecond,
    direct_calls_per_s: directLoaded.perSecond,
    gateway_cpu_us_per_call: gatewayCpuPerCall,
    bare_proxy_p50_us: percentile(bareSamples, 50),
    bare_proxy_p99_us: percentile(bareSamples, 99),
    bare_proxy_calls_per_s: bareLoaded.perSecond,
    samples: directSamples.length,
  };
}

if (process.argv[2] === 'upstream') startUpstream();
else if (process.argv[2] === 'bare-proxy') startBareProxy(Number(process.argv[3]));
else if (process.argv[2] === 'client') {
  process.once('message', (plan: ClientPlan) => {
    runClient(plan).then(
      (figures) => process.send?.({ figures }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
    );
  });
}
