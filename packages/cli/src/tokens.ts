import type { Role, TokenInfo } from '@estop/core';
import { ROLES } from '@estop/core';
import {
  CLIENT_OPTIONS,
  CLIENT_OPTIONS_HELP,
  parseFlags,
  REASON_OPTIONS,
  parseOneIdArgs,
  requireOption,
} from './args.js';
import type { CreatedToken, TokenRequest, TokenRequestView } from '@estop/client';
import { connectClient } from './api-client.js';
import type { CommandIo } from './command.js';
import { readCommand } from './read-command.js';
import { EXIT_OK, UsageError, runCommand } from './command.js';
import { formatTable, writeJson, writeLines, writeAnswer } from './output.js';

export const TOKENS_HELP = `usage: estop tokens <command>

Manages API tokens. Needs an admin token. Every token belongs to a principal (a person or a
service): --name makes a new one, --for-me another token of your own.

commands:
  create --role ROLE (--name NAME | --for-me)   create a token; its secret is shown once
  list                                          list tokens (never their secrets)
  revoke ID                                     revoke a token; its streams end within a second
  requests                                      new admins waiting for a second admin
  confirm ID                                    confirm another admin's request for a new admin

Run \`estop tokens <command> --help\` for its options.`;

export const TOKENS_CREATE_HELP = `usage: estop tokens create --role ROLE (--name NAME | --for-me) [--tenant T]
                           [--agent A | --any-agent] [--reason TEXT] [--json]

Creates an API token and prints its secret once; it cannot be shown again.

  --role ROLE      ${ROLES.join(', ')}
  --name NAME      a new principal, e.g. "alice" or "ci-bot": who holds it, named in the audit log;
                   names are unique and estop's own (system, bootstrap-admin, sentinel:*, …) reserved
  --for-me         another token of your own principal instead (you stay one approver)
  --tenant T       bind the token to one tenant: it sees and acts on that tenant only
  --agent A        agent tokens: the agent it acts as at the gateway (default: its name);
                   no x-estop-agent header can name another
  --any-agent      agent tokens: let each call name its agent in x-estop-agent instead
  --reason TEXT    why, for the audit log

Once two or more admin principals exist, a new admin (--role admin --name …) is a request:
the secret is printed, but it works only after a different admin runs \`estop tokens confirm ID\`.
${CLIENT_OPTIONS_HELP}`;

export const TOKENS_REQUESTS_HELP = `usage: estop tokens requests [--json]

Lists requests for new admin principals waiting for a second admin, with who asked and when
each expires.

${CLIENT_OPTIONS_HELP}`;

export const TOKENS_CONFIRM_HELP = `usage: estop tokens confirm ID [--reason TEXT] [--json]

Confirms another admin's request for a new admin principal: its token starts working. The
admin who asked cannot confirm it, with any of their tokens.

  --reason TEXT    why, for the audit log
${CLIENT_OPTIONS_HELP}`;

export const TOKENS_LIST_HELP = `usage: estop tokens list [--json]

Lists tokens with their role, tenant and whether they are revoked. Secrets are never shown.

${CLIENT_OPTIONS_HELP}`;

export const TOKENS_REVOKE_HELP = `usage: estop tokens revoke ID [--json]

Revokes a token: it stops working at once. Find ids with \`estop tokens list\`.

${CLIENT_OPTIONS_HELP}`;

/** What `estop tokens create` was asked to do. */
export interface TokenCreateOptions {
  /** A new principal's name; undefined with `forMe`. */
  name: string | undefined;
  forMe: boolean;
  role: Role;
  tenant: string | undefined;
  agent: string | undefined;
  anyAgent: boolean;
  reason: string | undefined;
  json: boolean;
  url: string | undefined;
  token: string | undefined;
}

/** Parses and checks `estop tokens create` arguments; throws a UsageError saying what to fix. */
export function parseTokenCreateArgs(args: string[]): TokenCreateOptions {
  const values = parseFlags(args, {
    ...CLIENT_OPTIONS,
    role: { type: 'string' },
    tenant: { type: 'string' },
    name: { type: 'string' },
    'for-me': { type: 'boolean', default: false },
    agent: { type: 'string' },
    'any-agent': { type: 'boolean', default: false },
    reason: { type: 'string' },
  });
  const roleName = requireOption('role', values.role, `what the token may do: ${ROLES.join(', ')}`).trim();
  if (!(ROLES as readonly string[]).includes(roleName)) {
    throw new UsageError(`--role "${roleName}" is not a role; use one of ${ROLES.join(', ')}`);
  }
  const forMe = values['for-me'];
  if (forMe && values.name !== undefined) {
    throw new UsageError('give --name (a new principal) or --for-me (another token of your own), not both');
  }
  const name = forMe
    ? undefined
    : requireOption(
        'name',
        values.name,
        'who or what holds the token, a new principal named in the audit log (or --for-me for your own)',
      ).trim();
  for (const option of ['tenant', 'agent', 'reason'] as const) {
    if (values[option] !== undefined && values[option].trim() === '') throw new UsageError(`--${option} is empty`);
  }
  const anyAgent = values['any-agent'];
  if (roleName !== 'agent' && (values.agent !== undefined || anyAgent)) {
    throw new UsageError('--agent and --any-agent are for agent tokens (--role agent)');
  }
  if (values.agent !== undefined && anyAgent) throw new UsageError('give --agent or --any-agent, not both');
  return {
    name,
    forMe,
    role: roleName as Role,
    tenant: values.tenant?.trim(),
    agent: values.agent?.trim(),
    anyAgent,
    reason: values.reason?.trim(),
    json: values.json,
    url: values.url,
    token: values.token,
  };
}

/** Tokens as a table. */
export function formatTokens(tokens: readonly TokenInfo[]): string[] {
  if (tokens.length === 0) return ['no tokens'];
  return formatTable(
    ['ID', 'NAME', 'PRINCIPAL', 'ROLE', 'TENANT', 'AGENT', 'CREATED', 'CREATED BY', 'STATUS'],
    tokens.map((token) => [
      token.id,
      token.name,
      token.principalId,
      token.role,
      token.tenant ?? '-',
      token.role !== 'agent' ? '-' : token.anyAgent === true ? 'any' : (token.agent ?? '-'),
      token.createdAt,
      token.createdBy,
      token.revokedAt === undefined ? 'active' : `revoked ${token.revokedAt}`,
    ]),
  );
}

function describeBinding(info: TokenInfo): string {
  const tenant = info.tenant === undefined ? 'all tenants' : `tenant ${info.tenant}`;
  if (info.role !== 'agent') return tenant;
  return `${tenant}, ${info.anyAgent === true ? 'any agent' : `agent ${info.agent ?? info.name}`}`;
}

/** What `estop tokens create` prints: the token, then its secret alone on a line, then the warning. */
export function formatCreatedToken(secret: string, info: TokenInfo): string[] {
  return [
    `created token ${info.id} "${info.name}" (role ${info.role}, ${describeBinding(info)}, principal ${info.principalId}):`,
    secret,
    'save it now: this secret will not be shown again',
  ];
}

/** What `estop tokens create` prints when a new admin needs a second admin first. */
export function formatRequestedToken(secret: string, request: TokenRequestView): string[] {
  const { token } = request;
  return [
    `requested admin token ${token.id} "${token.name}" (${describeBinding(token)}, principal ${token.principalId}): request ${request.id}`,
    secret,
    'save it now: this secret will not be shown again.',
    `It works once a different admin runs \`estop tokens confirm ${request.id}\` (before ${request.expiresAt}).`,
  ];
}

/** Pending admin requests as a table. */
export function formatTokenRequests(requests: readonly TokenRequestView[]): string[] {
  if (requests.length === 0) return ['no admin requests waiting'];
  return formatTable(
    ['ID', 'NAME', 'TENANT', 'ASKED BY', 'AT', 'EXPIRES', 'REASON'],
    requests.map((request) => [
      request.id,
      request.token.name,
      request.token.tenant ?? '-',
      request.requestedBy.id,
      request.at,
      request.expiresAt,
      request.reason ?? '-',
    ]),
  );
}

/** The body `estop tokens create` sends. */
export function tokenRequestBody(options: TokenCreateOptions): TokenRequest {
  const body: TokenRequest = { role: options.role };
  if (options.forMe) body.forMe = true;
  else body.name = options.name;
  if (options.tenant !== undefined) body.tenant = options.tenant;
  if (options.agent !== undefined) body.agent = options.agent;
  if (options.anyAgent) body.anyAgent = true;
  if (options.reason !== undefined) body.reason = options.reason;
  return body;
}

async function create(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop tokens create', TOKENS_CREATE_HELP, args, io, async () => {
    const options = parseTokenCreateArgs(args);
    const client = connectClient(options, io);
    const result: CreatedToken = await client.createToken(tokenRequestBody(options));
    if (options.json) writeJson(io, result);
    else if (result.request === undefined) writeLines(io, formatCreatedToken(result.token, result.info));
    else writeLines(io, formatRequestedToken(result.token, result.request));
    return EXIT_OK;
  });
}

const list = readCommand({
  name: 'estop tokens list',
  help: TOKENS_LIST_HELP,
  read: (client) => client.listTokens(),
  lines: (result) => formatTokens(result.tokens),
});

async function revoke(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop tokens revoke', TOKENS_REVOKE_HELP, args, io, async () => {
    const { values, id } = parseOneIdArgs(
      args,
      CLIENT_OPTIONS,
      'which token? give its id, e.g. `estop tokens revoke t_1a2b` (`estop tokens list` shows them)',
      'revoke takes one token id',
    );
    const client = connectClient(values, io);
    await client.revokeToken(id);
    writeAnswer(io, values.json, { revoked: id }, () => [`revoked token ${id}`]);
    return EXIT_OK;
  });
}

const requests = readCommand({
  name: 'estop tokens requests',
  help: TOKENS_REQUESTS_HELP,
  read: (client) => client.listTokenRequests(),
  lines: (result) => formatTokenRequests(result.requests),
});

async function confirm(args: string[], io: CommandIo): Promise<number> {
  return runCommand('estop tokens confirm', TOKENS_CONFIRM_HELP, args, io, async () => {
    const { values, id } = parseOneIdArgs(
      args,
      REASON_OPTIONS,
      'which request? give its id, e.g. `estop tokens confirm ar_1a2b` (`estop tokens requests`)',
      'confirm takes one request id',
    );
    if (values.reason !== undefined && values.reason.trim() === '') throw new UsageError('--reason is empty');
    const client = connectClient(values, io);
    const result = await client.confirmTokenRequest(id, values.reason?.trim());
    writeAnswer(io, values.json, result, () => [
      `confirmed: admin token ${result.info.id} "${result.info.name}" now works`,
    ]);
    return EXIT_OK;
  });
}

const SUBCOMMANDS = '`estop tokens create`, `list`, `revoke`, `requests` or `confirm`';

/** `estop tokens create|list|revoke|requests|confirm`. */
export async function tokens(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'create') return create(rest, io);
  if (subcommand === 'list') return list(rest, io);
  if (subcommand === 'revoke') return revoke(rest, io);
  if (subcommand === 'requests') return requests(rest, io);
  if (subcommand === 'confirm') return confirm(rest, io);
  return runCommand('estop tokens', TOKENS_HELP, args, io, async () => {
    if (subcommand === undefined) throw new UsageError(`which one? ${SUBCOMMANDS}`);
    throw new UsageError(`unknown command "${subcommand}"; use ${SUBCOMMANDS}`);
  });
}
