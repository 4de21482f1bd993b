import { hostname } from 'node:os';
import { EstopError, isEstopError } from '@estop/core';
import {
  createGateway,
  createGatewayGuard,
  createInFlightCalls,
  loadGatewayConfig,
  runStdioGateway,
  type Caller,
  type GatewayConfig,
  type GatewayLogger,
  type Guard,
} from '@estop/gateway';
import { openGatewayKeys } from './gateway-keys.js';
import { createJsonLogger } from '@estop/server';
import { parseIntegerOption, parseFlags, requireOption } from './args.js';
import { runCommand, UsageError, type CommandIo } from './command.js';

const HELP = `estop gateway — the tool gateway: agents reach their tools through it, and it enforces estop

Usage: estop gateway --config FILE [--host HOST] [--port PORT]
       estop gateway --stdio --config FILE --server NAME --tenant T [--agent A] [--run R]

  --config FILE   the gateway's YAML file (env ESTOP_GATEWAY_CONFIG); \${VAR} is read from the environment
  --host, --port  override the config's listen address (HTTP mode)
  --stdio         serve one MCP server over stdin/stdout, for MCP clients that launch their servers
  --server NAME   with --stdio: the server of mcp.servers to front
  --tenant T      with --stdio, required: the calling tenant (unless the config's stdio block names it)
  --agent, --run  with --stdio: who is calling (default: the config's stdio block)
  -h, --help      show this help

ESTOP_TOKEN is the gateway's own enforcer token (estop tokens create --role enforcer). Agents
authenticate to the gateway with agent tokens (estop tokens create --role agent --tenant T).
HTTP mode serves /tools/<route>, /mcp/<server> and /healthz and logs JSON lines on stderr;
SIGINT or SIGTERM stops it cleanly. In stdio mode stdout carries the protocol, logs go to stderr.`;

/** Waits for the first snapshot: a rejected token is fatal, a slow control plane only a warning. */
async function awaitState(guard: Guard, io: CommandIo): Promise<void> {
  try {
    await guard.ready();
  } catch (error) {
    if (isEstopError(error, 'unauthorized') || isEstopError(error, 'forbidden')) {
      throw new EstopError({
        code: error.code,
        message: `the control plane rejected ESTOP_TOKEN: ${error.message}`,
        cause: error,
      });
    }
    io.stderr.write(
      `estop gateway: no state from the control plane yet (${error instanceof Error ? error.message : String(error)}); ` +
        'failing safe until it arrives\n',
    );
  }
}

function listenError(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new EstopError({
      code: 'unavailable',
      message: `port ${port} is already in use: is a gateway already running? Pick another with --port`,
    });
  }
  if (code === 'EACCES') {
    return new EstopError({
      code: 'unavailable',
      message: `not allowed to listen on port ${port}; use a port above 1023`,
    });
  }
  return error;
}

function signalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function serveHttp(config: GatewayConfig, token: string, logger: GatewayLogger, io: CommandIo): Promise<number> {
  const keys = openGatewayKeys(config);
  const gateway = createGateway({ config, token, logger, keys });
  try {
    await awaitState(gateway.guard, io);
    const url = await gateway.listen().catch((error: unknown) => {
      throw listenError(error, config.listen.port);
    });
    io.stdout.write(`estop gateway on ${url}\n`);
    await signalled();
  } finally {
    await gateway.close();
    await keys?.close();
  }
  return 0;
}

async function serveStdio(
  config: GatewayConfig,
  token: string,
  logger: GatewayLogger,
  io: CommandIo,
  server: string,
  caller: Caller,
): Promise<number> {
  const keys = openGatewayKeys(config);
  const guard = createGatewayGuard({ config, token, name: `gateway-stdio@${hostname()}`, logger, keys });
  const inFlight = createInFlightCalls(guard);
  const stop = (): void => {
    process.stdin.destroy();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await awaitState(guard, io);
    await runStdioGateway({
      config,
      guard,
      inFlight,
      caller,
      server,
      input: process.stdin,
      output: process.stdout,
      logger,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    inFlight.close();
    await guard.close();
    await keys?.close();
  }
  return 0;
}

/** `estop gateway`: runs the HTTP (and MCP) tool gateway, or one MCP server over stdio. */
export function gateway(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop gateway', HELP, args, io, async () => {
    const values = parseFlags(args, {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      stdio: { type: 'boolean', default: false },
      server: { type: 'string' },
      tenant: { type: 'string' },
      agent: { type: 'string' },
      run: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    const configPath = requireOption(
      'config',
      values.config ?? io.env.ESTOP_GATEWAY_CONFIG,
      "the gateway's YAML file; or set ESTOP_GATEWAY_CONFIG",
    );
    const port = values.port === undefined ? undefined : parseIntegerOption('port', values.port);
    if (port !== undefined && port > 65535) throw new UsageError('--port must be a number from 0 to 65535');
    if (!values.stdio) {
      for (const flag of ['server', 'tenant', 'agent', 'run'] as const) {
        if (values[flag] !== undefined) throw new UsageError(`--${flag} is only for --stdio`);
      }
    }
    const token = io.env.ESTOP_TOKEN?.trim();
    if (token === undefined || token === '') {
      throw new UsageError(
        "ESTOP_TOKEN must hold the gateway's enforcer token (estop tokens create --role enforcer --name gateway)",
      );
    }
    const loaded = await loadGatewayConfig(configPath, io.env);
    const config: GatewayConfig = {
      ...loaded,
      listen: { ...loaded.listen, host: values.host ?? loaded.listen.host, port: port ?? loaded.listen.port },
    };
    const logger = createJsonLogger(process.stderr);
    if (!values.stdio) return serveHttp(config, token, logger, io);

    const server = requireOption('server', values.server, 'the MCP server of the config to serve over stdio');
    if (!Object.hasOwn(config.mcp.servers, server)) {
      const known = Object.keys(config.mcp.servers);
      throw new UsageError(
        `--server ${server} is not in ${configPath}; ${known.length === 0 ? 'it configures no MCP servers' : `known: ${known.join(', ')}`}`,
      );
    }
    const tenant = values.tenant ?? config.stdio?.tenant;
    if (tenant === undefined || tenant.trim() === '') {
      throw new UsageError('--stdio needs the caller: --tenant, or a stdio: {tenant: ...} block in the config');
    }
    const agent = values.agent ?? config.stdio?.agent;
    const caller: Caller = { tenant, agent, run: values.run ?? config.stdio?.run, name: agent ?? 'stdio' };
    return serveStdio(config, token, logger, io, server, caller);
  });
}
