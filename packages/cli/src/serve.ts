import { EstopError } from '@estop/core';
import { DEFAULT_STORE, STORE_NAMES, createJsonLogger, isStoreName, startServer, storeKind } from '@estop/server';
import { parseIntegerOption, parseFlags } from './args.js';
import { runCommand, UsageError, type CommandIo } from './command.js';

/** One line per store in the registry, and the stores that take a database URL. */
const STORE_LINES = STORE_NAMES.map(
  (name) =>
    `                      ${name.padEnd(10)}${storeKind(name).summary}${name === DEFAULT_STORE ? ' (default)' : ''}`,
).join('\n');
const URL_STORES = STORE_NAMES.filter((name) => storeKind(name).databaseUrl !== undefined).join(' or ');

const HELP = `estop serve — run the control plane (HTTP API, state stream, audit)

Usage: estop serve [--host 127.0.0.1] [--port 7070] [--data DIR] [--store ${STORE_NAMES.join('|')}]
                   [--database-url URL] [--config FILE]

  --host            address to listen on (env ESTOP_HOST; default 127.0.0.1)
  --port            port to listen on, 0 for any free one (env ESTOP_PORT; default 7070)
  --data DIR        data directory: the SQLite file and admin-token (env ESTOP_DATA; default ./.estop),
                    made 0700 and its files 0600 at every start; refused if another user owns it
  --store NAME      where rules, tokens and the audit live (env ESTOP_STORE):
${STORE_LINES}
  --database-url    the database's URL for --store ${URL_STORES} (env ESTOP_DATABASE_URL)
  --config FILE     YAML configuration (env ESTOP_CONFIG)
  -h, --help        show this help

Idempotency keys live in the store, shared by every replica on it; with ESTOP_REDIS_URL (or
\`redis: {url}\` in the config) they live in Redis instead. Restore requests expire after
\`restore.request_ttl\` (default 1h). Sentinels (\`sentinel:\` in the config) stop a scope on their
own when its writes flood, repeat or fail; see docs/sentinel.md. An enforcer that closes deregisters
at once; one that leaves without a word is forgotten after \`enforcers.forget_after\` (env
ESTOP_ENFORCERS_FORGET_AFTER; default 10m, at least 10s).

ESTOP_ADMIN_TOKEN, when set, is an admin token. Otherwise the first start writes a new admin
token to <data>/admin-token (mode 0600) and prints that path; the CLI reads it from there.
Logs are JSON lines on stderr. SIGINT or SIGTERM stops the server cleanly.`;

function listenError(error: unknown, port: number | undefined): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new EstopError({
      code: 'unavailable',
      message: `port ${port ?? 7070} is already in use: is estop already running? Pick another with --port`,
    });
  }
  if (code === 'EACCES') {
    return new EstopError({
      code: 'unavailable',
      message: `not allowed to listen on port ${port ?? 7070}; use a port above 1023`,
    });
  }
  return error;
}

/** `estop serve`: runs until SIGINT or SIGTERM, then closes cleanly. */
export function serve(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop serve', HELP, args, io, async () => {
    const values = parseFlags(args, {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      store: { type: 'string' },
      'database-url': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    const port = values.port === undefined ? undefined : parseIntegerOption('--port', values.port);
    if (port !== undefined && port > 65535) throw new UsageError('--port must be a number from 0 to 65535');
    if (values.store !== undefined && !isStoreName(values.store)) {
      throw new UsageError(`--store must be ${STORE_NAMES.join(' or ')}`);
    }
    const logger = createJsonLogger(process.stderr);
    const { url, controlPlane, adminTokenFile } = await startServer(
      {
        host: values.host,
        port,
        data: values.data,
        store: values.store,
        databaseUrl: values['database-url'],
        config: values.config,
      },
      io.env as NodeJS.ProcessEnv,
      logger,
    ).catch((error: unknown) => {
      throw listenError(error, port);
    });
    io.stdout.write(`estop control plane on ${url}\n`);
    if (adminTokenFile !== undefined) io.stdout.write(`admin token written to ${adminTokenFile} (mode 0600)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await controlPlane.close();
    return 0;
  });
}
