import { parseArgs } from 'node:util';
import type { Role, TokenInfo } from '@estop/core';
import { ROLES } from '@estop/core';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_HELP, parseOrUsage, requireOption, resolveConnection } from './args.js';
import { createApiClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { EXIT_OK, UsageError, runCommand } from './command.js';
import { formatTable, writeJson, writeLines } from './output.js';

export const TOKENS_HELP = `usage: estop tokens <command>

Manages API tokens. Needs an admin token.

commands:
  create --role ROLE [--tenant T] --name NAME   create a token; its secret is shown once
  list                                          list tokens (never their secrets)
  revoke ID                                     revoke a token

Run \`estop tokens <command> --help\` for its options.`;

export const TOKENS_CREATE_HELP = `usage: estop tokens create --role ROLE [--tenant T] --name NAME [--json]

Creates an API token and prints its secret once; it cannot be shown again.

  --role ROLE      ${ROLES.join(', ')}
  --tenant T       bind the token to one tenant: it sees and acts on that tenant only
  --name NAME      who or what holds it, e.g. "on-call" or "worker-pool-eu"
${CLIENT_OPTIONS_HELP}`;

export const TOKENS_LIST_HELP = `usage: estop tokens list [--json]

Lists tokens with their role, tenant and whether they are revoked. Secrets are never shown.

${CLIENT_OPTIONS_HELP}`;

export const TOKENS_REVOKE_HELP = `usage: estop tokens revoke ID [--json]

Revokes a token: it stops working at once. Find ids with \`estop tokens list\`.

${CLIENT_OPTIONS_HELP}`;

/** What `estop tokens create` was asked to do. */
export interface TokenCreateOptions {
  name: string;
  role: Role;
  tenant: string | undefined;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** Parses and checks `estop tokens create` arguments; throws a UsageError saying what to fix. */
export function parseTokenCreateArgs(args: string[]): TokenCreateOptions {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: { ...CLIENT_OPTIONS, role: { type: 'string' }, tenant: { type: 'string' }, name: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }),
  );
  const roleName = requireOption('role', values.role, `what the token may do: ${ROLES.join(', ')}`).trim();
  if (!(ROLES as readonly string[]).includes(roleName)) {
    throw new UsageError(`--role "${roleName}" is not a role; use one of ${ROLES.join(', ')}`);
  }
  const name = requireOption(
    'name',
    values.name,
    'who or what holds the token; it names the actor in the audit log',
  ).trim();
  if (values.tenant !== undefined && values.tenant.trim() === '') throw new UsageError('--tenant is empty');
  return {
    name,
    role: roleName as Role,
    tenant: values.tenant?.trim(),
    json: values.json,
    url: values.url,
    token: values.token,
  };
}

/** Tokens as a table. */
export function formatTokens(tokens: readonly TokenInfo[]): string[] {
  if (tokens.length === 0) return ['no tokens'];
  return formatTable(
    ['ID', 'NAME', 'ROLE', 'TENANT', 'CREATED', 'CREATED BY', 'STATUS'],
    tokens.map((token) => [
      token.id,
      token.name,
      token.role,
      token.tenant ?? '-',
      token.createdAt,
      token.createdBy,
      token.revokedAt === undefined ? 'active' : `revoked ${token.revokedAt}`,
    ]),
  );
}

/** What `estop tokens create` prints: the token, then its secret alone on a line, then the warning. */
export function formatCreatedToken(secret: string, info: TokenInfo): string[] {
  const binding = info.tenant === undefined ? 'all tenants' : `tenant ${info.tenant}`;
  return [
    `created token ${info.id} "${info.name}" (role ${info.role}, ${binding}):`,
    secret,
    'save it now: this secret will not be shown again',
  ];
}

async function create(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop tokens create', TOKENS_CREATE_HELP, args, io, async () => {
    const options = parseTokenCreateArgs(args);
    const client = createApiClient(resolveConnection(options, io));
    const input: { name: string; role: Role; tenant?: string } = { name: options.name, role: options.role };
    if (options.tenant !== undefined) input.tenant = options.tenant;
    const result = await client.createToken(input);
    if (options.json) writeJson(io, result);
    else writeLines(io, formatCreatedToken(result.token, result.info));
    return EXIT_OK;
  });
}

async function list(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop tokens list', TOKENS_LIST_HELP, args, io, async () => {
    const { values } = parseOrUsage(() =>
      parseArgs({ args, options: CLIENT_OPTIONS, strict: true, allowPositionals: false }),
    );
    const client = createApiClient(resolveConnection(values, io));
    const result = await client.listTokens();
    if (values.json) writeJson(io, result);
    else writeLines(io, formatTokens(result.tokens));
    return EXIT_OK;
  });
}

async function revoke(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop tokens revoke', TOKENS_REVOKE_HELP, args, io, async () => {
    const { values, positionals } = parseOrUsage(() =>
      parseArgs({ args, options: CLIENT_OPTIONS, strict: true, allowPositionals: true }),
    );
    const [id, ...extra] = positionals;
    if (id === undefined || id.trim() === '') {
      throw new UsageError(
        'which token? give its id, e.g. `estop tokens revoke t_1a2b` (`estop tokens list` shows them)',
      );
    }
    if (extra.length > 0) throw new UsageError(`revoke takes one token id; unexpected "${extra.join(' ')}"`);
    const client = createApiClient(resolveConnection(values, io));
    await client.revokeToken(id.trim());
    if (values.json) writeJson(io, { revoked: id.trim() });
    else writeLines(io, [`revoked token ${id.trim()}`]);
    return EXIT_OK;
  });
}

/** `estop tokens create|list|revoke`. */
export async function tokens(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'create') return create(rest, io);
  if (subcommand === 'list') return list(rest, io);
  if (subcommand === 'revoke') return revoke(rest, io);
  return runCommand('estop tokens', TOKENS_HELP, args, io, async () => {
    if (subcommand === undefined) throw new UsageError('which one? `estop tokens create`, `list` or `revoke`');
    throw new UsageError(`unknown command "${subcommand}"; use \`estop tokens create\`, \`list\` or \`revoke\``);
  });
}
