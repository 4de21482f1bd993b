import { readFile } from 'node:fs/promises';
import { EffectSchema, EstopError } from '@estop/core';
import { parseControlPlaneUrls } from '@estop/sdk';
import { parse } from 'yaml';
import { z } from 'zod';
import { describeConfigIssue } from './config-issue.js';

const headers = z.record(z.string(), z.string());

const StdioUpstreamSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  /** Effect per tool name of this server; overrides the tools' own annotations. */
  tools: z.record(z.string(), EffectSchema).default({}),
});

const HttpUpstreamSchema = z.strictObject({
  url: z.url(),
  headers: headers.default({}),
  tools: z.record(z.string(), EffectSchema).default({}),
});

const RouteSchema = z.strictObject({
  method: z
    .string()
    .transform((method) => method.toUpperCase())
    .pipe(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])),
  upstream: z.url(),
  /** Default: GET and HEAD read, every other method write. */
  effect: EffectSchema.optional(),
  headers: headers.default({}),
  timeout_ms: z.number().int().positive().optional(),
});

/**
 * The control plane's URL, or its replicas' as a list or a comma-separated string (so that
 * `url: ${ESTOP_URL}` may name several); read as a list of base URLs, each checked.
 */
const ControlPlaneUrlSchema = z.union([z.string(), z.array(z.string())]).transform((value, context) => {
  const { urls, problems } = parseControlPlaneUrls(value);
  for (const problem of problems) {
    context.addIssue({
      code: 'custom',
      message: problem.message,
      path: problem.index === undefined ? [] : [problem.index],
    });
  }
  return urls.map((url) => url.href);
});

/** The gateway's YAML file, after `${VAR}` substitution. */
export const GatewayFileSchema = z.strictObject({
  control_plane: z.strictObject({ url: ControlPlaneUrlSchema }),
  listen: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(7080),
      /**
       * Host names (without port) an MCP request's `Host` may name, against DNS rebinding. Default:
       * the localhost names when bound to loopback, any host otherwise.
       */
      allowed_hosts: z.array(z.string().min(1)).optional(),
      /** Origins (`scheme://host[:port]`) a browser's MCP request may come from, besides those of an allowed host. */
      allowed_origins: z.array(z.string().min(1)).default([]),
    })
    .default({ host: '127.0.0.1', port: 7080, allowed_origins: [] }),
  // Revoking an agent token must reach the gateway within a second: its identity is kept at most half.
  identity: z.strictObject({ cache_ms: z.number().int().min(0).max(500).default(250) }).default({ cache_ms: 250 }),
  /** Who the caller is in `--stdio` mode, where there is no token. */
  stdio: z
    .strictObject({ tenant: z.string().min(1), agent: z.string().optional(), run: z.string().optional() })
    .optional(),
  mcp: z
    .strictObject({
      servers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.union([StdioUpstreamSchema, HttpUpstreamSchema])),
    })
    .default({ servers: {} }),
  http: z
    .strictObject({ routes: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), RouteSchema) })
    .default({ routes: {} }),
  timeout_ms: z.number().int().positive().default(30_000),
  /**
   * Deduping of write calls: a repeat within `window_ms` (default 10 minutes) gets the first
   * call's result. `tools` sets a window per tool name or glob (`mail.*`), or `false` for none.
   * `wait_ms` (default 2 minutes) is how long a repeat waits for an identical write in flight.
   */
  idempotency: z
    .strictObject({
      window_ms: z.number().int().positive().optional(),
      wait_ms: z.number().int().min(0).optional(),
      tools: z.record(z.string().min(1), z.union([z.number().int().positive(), z.literal(false)])).default({}),
      /**
       * Keep the keys in this Redis, shared by every gateway (and guard) of the deployment,
       * instead of asking the control plane for each write: see docs/gateway.md, "Deduplication".
       */
      redis: z
        .strictObject({
          url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL'),
          prefix: z.string().min(1).max(200).optional(),
        })
        .optional(),
    })
    .default({ tools: {} }),
  /** How long an `approval_gated` write waits for an operator's decision. Default 5 minutes. */
  approval_timeout_ms: z.number().int().min(1_000).optional(),
});

/** The gateway's configuration. */
export type GatewayConfig = z.output<typeof GatewayFileSchema>;
/** An MCP upstream launched as a child process speaking stdio. */
export type StdioUpstream = z.output<typeof StdioUpstreamSchema>;
/** An MCP upstream reached over Streamable HTTP. */
export type HttpUpstream = z.output<typeof HttpUpstreamSchema>;
/** An HTTP tool route. */
export type HttpRoute = z.output<typeof RouteSchema>;

/** True when the upstream is launched as a child process. */
export function isStdioUpstream(upstream: StdioUpstream | HttpUpstream): upstream is StdioUpstream {
  return 'command' in upstream;
}

/** Replaces `${NAME}` in every string with the environment's value; a missing variable is an error. */
export function substituteEnvironment(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  missing: Set<string>,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) missing.add(name);
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((item) => substituteEnvironment(item, env, missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteEnvironment(item, env, missing)]),
    );
  }
  return value;
}

/** Parses and validates gateway configuration text. */
export function parseGatewayConfig(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  source = 'config',
): GatewayConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new EstopError({ code: 'config_invalid', message: `${source}: not valid YAML: ${(error as Error).message}` });
  }
  const missing = new Set<string>();
  const substituted = substituteEnvironment(raw, env, missing);
  if (missing.size > 0) {
    throw new EstopError({
      code: 'config_invalid',
      message: `${source}: environment variables not set: ${[...missing].join(', ')}`,
    });
  }
  const parsed = GatewayFileSchema.safeParse(substituted);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeConfigIssue(GatewayFileSchema, issue));
    throw new EstopError({ code: 'config_invalid', message: `${source}: ${problems.join('; ')}` });
  }
  return parsed.data;
}

/** Reads, substitutes and validates the gateway's YAML file. */
export async function loadGatewayConfig(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EstopError({ code: 'config_invalid', message: `cannot read gateway config ${path}`, cause: error });
  }
  return parseGatewayConfig(text, env, path);
}
