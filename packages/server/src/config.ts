import { readFile } from 'node:fs/promises';
import {
  DurationSchema,
  EffectSchema,
  EstopError,
  ModeSchema,
  SENTINEL_GROUPS,
  SENTINEL_SIGNALS,
  type Effect,
  type Mode,
  type SentinelSpec,
  parseDuration,
  wellFormedText,
} from '@estop/core';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_FORGET_AFTER_MS, checkForgetAfter } from './enforcers/enforcer-expiry.js';
import { DEFAULT_VIEW_STALE_AFTER_MS } from './stream/view-freshness.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './http/body-limit.js';
import { invalidRequest } from './http/problem.js';
import {
  NotifyFileSchema,
  TriggerFileSchema,
  receiversFrom,
  triggersFrom,
  type TriggerSpec,
} from './notify/notify-config.js';
import type { Receiver } from './notify/receiver.js';
import { DEFAULT_RESTORE_POLICY, RestoreClassSchema, type RestorePolicy } from './restores/restore-policy.js';
import { DEFAULT_STORE, STORE_NAMES, isStoreName, storeKind, type StoreName } from './store-registry.js';

const DAY_MS = 86_400_000;

// One automatic trip: `threshold` `signal`s of `tool` (a glob; default every tool) for one
// `per` within `window` create a rule of `mode` on that scope, lifted after `expires` if given.
const SentinelFileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a sentinel name is lower-case letters, digits, ".", "_" or "-"'),
    signal: z.enum(SENTINEL_SIGNALS),
    tool: wellFormedText().min(1).max(200).optional(),
    per: z.enum(SENTINEL_GROUPS).default('tenant'),
    // Signals to count (1 to 100000), or for `spend` dollars (more than 0, at most 1000000).
    threshold: z.number().positive().max(1_000_000),
    window: DurationSchema.refine((ms) => ms > 0 && ms <= DAY_MS, 'window must be longer than 0s and at most 24h'),
    mode: ModeSchema.default('read_only'),
    expires: DurationSchema.refine((ms) => ms > 0, 'expires must be longer than 0s').optional(),
    // false: shadow mode, counting and recording what it would have done, stopping nothing.
    enforce: z.boolean().optional(),
  })
  .superRefine((spec, context) => {
    if (spec.signal === 'spend') {
      if (spec.tool !== undefined)
        context.addIssue({
          code: 'custom',
          path: ['tool'],
          message: "spend is a run's, not a tool's: a spend sentinel takes no tool",
        });
    } else if (!Number.isInteger(spec.threshold) || spec.threshold > 100_000) {
      context.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `a ${spec.signal} threshold is a whole number of them, 1 to 100000`,
      });
    }
  });

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

// A size in bytes: a whole number, or one with a unit (`512kb`, `1mb`); at most 100 MiB.
const ByteSizeSchema = z
  .union([
    z.number().int(),
    z
      .string()
      .regex(/^\d{1,9}\s*(b|kb|mb)$/i, 'a size is a whole number of b, kb or mb, e.g. 1mb')
      .transform((text) => {
        const [, digits = '0', unit = 'b'] = /^(\d+)\s*([a-z]+)$/i.exec(text) ?? [];
        return Number(digits) * (BYTE_UNITS[unit.toLowerCase()] ?? 1);
      }),
  ])
  .refine((bytes) => bytes >= 1024 && bytes <= 100 * 1024 * 1024, 'a size is 1kb to 100mb');

const FileSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().optional(),
      port: z.number().int().min(0).max(65535).optional(),
      data: z.string().optional(),
      store: z.enum(STORE_NAMES).optional(),
      database_url: z.string().optional(),
      keepalive_ms: z.number().int().min(50).optional(),
      view_stale_after_ms: z.number().int().min(100).optional(),
    })
    .optional(),
  tools: z.record(z.string(), EffectSchema).optional(),
  // Bounds on what one request may carry: `body` is the largest request body on every endpoint.
  limits: z.strictObject({ body: ByteSizeSchema.optional() }).optional(),
  // The seed article's block. Flags and keys map onto rules here; `mode_when_enabled` is the
  // mode a stop takes when it names none; `cache_ttl_s` has no effect because state is pushed.
  kill_switch: z
    .strictObject({
      global_flag: z.string().optional(),
      per_tenant_flag_prefix: z.string().optional(),
      mode_when_enabled: ModeSchema.optional(),
      disabled_tools_key: z.string().optional(),
      cache_ttl_s: z.number().optional(),
    })
    .optional(),
  // Lifting a rule of these classes waits for a second admin; none can be lifted within `cooldown`.
  restore: z
    .strictObject({
      second_approver: z.array(RestoreClassSchema).optional(),
      cooldown: DurationSchema.optional(),
      // How long a restore request waits for its second admin before it expires.
      request_ttl: DurationSchema.optional(),
    })
    .optional(),
  sentinel: z
    .array(SentinelFileSchema)
    .refine((specs) => new Set(specs.map((spec) => spec.name)).size === specs.length, 'sentinel names must be unique')
    .optional(),
  // An enforcer gone (disconnected, not deregistered) longer than `forget_after` leaves memory,
  // the store and the list; the audit keeps what it did.
  enforcers: z.strictObject({ forget_after: DurationSchema.optional() }).optional(),
  // Webhooks that hear of changes; a stop some enforcer has not applied after `notify_lagging_after` is notified.
  notify: NotifyFileSchema.optional(),
  notify_lagging_after: DurationSchema.refine((ms) => ms >= 1000, 'notify_lagging_after is at least 1s').optional(),
  // Alertmanager's alerts that pull the switch (POST /v1/hooks/alertmanager).
  triggers: TriggerFileSchema.optional(),
  // Idempotency keys in Redis rather than the store: for many control-plane replicas.
  redis: z
    .strictObject({
      url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
      prefix: z.string().min(1).max(100).optional(),
    })
    .optional(),
});

/** The control plane's settings after defaults, the file and the environment are merged. */
export interface ServerConfig {
  host: string;
  port: number;
  data: string;
  /** The store's name in `STORE_KINDS`. */
  store: StoreName;
  databaseUrl?: string | undefined;
  keepAliveMs: number;
  /**
   * How long a replica vouches for its view of the store after its last successful read; past it,
   * its enforcer streams end and its enforcement and readiness answers are 503. Default 3000.
   */
  viewStaleAfterMs: number;
  /** The largest request body, in bytes, on every endpoint. Default 1 MiB. */
  bodyLimitBytes: number;
  tools: Record<string, Effect>;
  defaultMode: Mode;
  restore: RestorePolicy;
  /** Automatic trips. */
  sentinels: SentinelSpec[];
  /** How long an enforcer that left without deregistering is kept before it is forgotten. Default 10 minutes. */
  enforcerForgetAfterMs: number;
  /** Webhooks that hear of changes, with `${VAR}` in their URL and secret expanded. */
  notify: Receiver[];
  /** After how long a stop some enforcer has not applied is notified. Default 10 s. */
  notifyLaggingAfterMs: number;
  /** Alerts that pull the switch. */
  triggers: TriggerSpec[];
  /** Where idempotency keys live when not in the store. */
  redis?: { url: string; prefix?: string | undefined } | undefined;
}

/** Settings given on the command line; they win over the environment, which wins over the file. */
export type ServerFlags = Partial<Pick<ServerConfig, 'host' | 'port' | 'data' | 'store' | 'databaseUrl'>> & {
  config?: string | undefined;
};

/** Loads and validates the YAML file (if any), then applies environment variables and flags. */
export async function loadServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv): Promise<ServerConfig> {
  let file: z.output<typeof FileSchema> = {};
  const path = flags.config ?? env.ESTOP_CONFIG;
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new EstopError({ code: 'config_invalid', message: `cannot read config file ${path}`, cause: error });
    }
    const parsed = FileSchema.safeParse(parse(text) ?? {});
    if (!parsed.success) {
      throw new EstopError({
        code: 'config_invalid',
        message: `${path}: ${invalidRequest(parsed.error, 'config').message}`,
      });
    }
    file = parsed.data;
  }
  const envPort = env.ESTOP_PORT === undefined ? undefined : Number(env.ESTOP_PORT);
  const store: string = flags.store ?? env.ESTOP_STORE ?? file.server?.store ?? DEFAULT_STORE;
  if (!isStoreName(store)) {
    throw new EstopError({
      code: 'config_invalid',
      message: `store must be ${STORE_NAMES.join(' or ')}, not ${store}`,
    });
  }
  const config: ServerConfig = {
    host: flags.host ?? env.ESTOP_HOST ?? file.server?.host ?? '127.0.0.1',
    port: flags.port ?? envPort ?? file.server?.port ?? 7070,
    data: flags.data ?? env.ESTOP_DATA ?? file.server?.data ?? './.estop',
    store,
    databaseUrl: flags.databaseUrl ?? env.ESTOP_DATABASE_URL ?? file.server?.database_url,
    keepAliveMs: file.server?.keepalive_ms ?? 5000,
    viewStaleAfterMs: file.server?.view_stale_after_ms ?? DEFAULT_VIEW_STALE_AFTER_MS,
    bodyLimitBytes: file.limits?.body ?? DEFAULT_BODY_LIMIT_BYTES,
    tools: file.tools ?? {},
    defaultMode: file.kill_switch?.mode_when_enabled ?? 'read_only',
    restore: {
      secondApprover: file.restore?.second_approver ?? DEFAULT_RESTORE_POLICY.secondApprover,
      cooldownMs: file.restore?.cooldown ?? DEFAULT_RESTORE_POLICY.cooldownMs,
      requestTtlMs: file.restore?.request_ttl ?? DEFAULT_RESTORE_POLICY.requestTtlMs,
    },
    sentinels: (file.sentinel ?? []).map((spec) => ({
      name: spec.name,
      signal: spec.signal,
      tool: spec.tool,
      per: spec.per,
      threshold: spec.threshold,
      windowMs: spec.window,
      mode: spec.mode,
      expiresInMs: spec.expires,
      ...(spec.enforce === false ? { enforce: false } : {}),
    })),
    enforcerForgetAfterMs: forgetAfter(env.ESTOP_ENFORCERS_FORGET_AFTER, file.enforcers?.forget_after),
    notify: receiversFrom(file.notify, env),
    notifyLaggingAfterMs: file.notify_lagging_after ?? 10_000,
    triggers: triggersFrom(file.triggers),
    redis:
      env.ESTOP_REDIS_URL === undefined || env.ESTOP_REDIS_URL === ''
        ? file.redis
        : { ...file.redis, url: env.ESTOP_REDIS_URL },
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new EstopError({ code: 'config_invalid', message: `port must be 0-65535, not ${String(config.port)}` });
  }
  if (config.redis !== undefined && !/^rediss?:\/\/./.test(config.redis.url)) {
    throw new EstopError({
      code: 'config_invalid',
      message: `redis.url (or ESTOP_REDIS_URL) must be a redis:// or rediss:// URL, not ${config.redis.url}`,
    });
  }
  checkForgetAfter(config.enforcerForgetAfterMs);
  if (config.restore.requestTtlMs <= 0) {
    throw new EstopError({ code: 'config_invalid', message: 'restore.request_ttl must be longer than 0s' });
  }
  const databaseUrl = storeKind(config.store).databaseUrl;
  if (databaseUrl !== undefined && config.databaseUrl === undefined) {
    throw new EstopError({
      code: 'config_invalid',
      message: `the ${config.store} store needs --database-url (or ESTOP_DATABASE_URL), e.g. ${databaseUrl.example}`,
    });
  }
  return config;
}

/** `ESTOP_ENFORCERS_FORGET_AFTER` (a duration with its unit), else the file's, else the default. */
function forgetAfter(fromEnvironment: string | undefined, fromFile: number | undefined): number {
  if (fromEnvironment === undefined || fromEnvironment === '') return fromFile ?? DEFAULT_FORGET_AFTER_MS;
  try {
    return parseDuration(fromEnvironment);
  } catch (error) {
    throw new EstopError({
      code: 'config_invalid',
      message: `ESTOP_ENFORCERS_FORGET_AFTER: ${(error as Error).message}`,
      cause: error,
    });
  }
}
