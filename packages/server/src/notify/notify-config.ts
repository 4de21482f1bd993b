import { DurationSchema, EstopError, ModeSchema, NOTIFY_EVENTS, type Mode } from '@estop/core';
import { z } from 'zod';
import { receiverKey, receiverName, type Receiver } from './receiver.js';

const SUBSCRIBABLE = NOTIFY_EVENTS.filter((event) => event !== 'test');

// One webhook: `events` it hears (default all), signed with `secret` when given. `url` and
// `secret` may name environment variables as ${NAME}, so that secrets stay out of the file.
export const NotifyFileSchema = z
  .array(
    z.strictObject({
      url: z.string().min(1).max(2000),
      secret: z.string().min(1).max(1000).optional(),
      events: z.array(z.enum(SUBSCRIBABLE)).min(1).optional(),
      format: z.enum(['json', 'slack']).default('json'),
    }),
  )
  .max(50);

const LABEL = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'a label name is letters, digits and _');

// One alert that pulls the switch: a firing alert named `alert` (and whose labels equal `match`)
// creates a rule of `mode` on the scope read from its labels `scope_from_labels`.
export const TriggerFileSchema = z
  .array(
    z.strictObject({
      alert: z.string().min(1).max(200),
      match: z.record(LABEL, z.string().max(1000)).optional(),
      scope_from_labels: z.array(z.enum(['tenant', 'agent', 'run', 'tool'])).optional(),
      mode: ModeSchema.default('read_only'),
      expires: DurationSchema.refine((ms) => ms > 0, 'expires must be longer than 0s').optional(),
    }),
  )
  .max(200);

/** A configured trigger: which alerts pull the switch, and the rule each makes. */
export interface TriggerSpec {
  alert: string;
  match: Readonly<Record<string, string>>;
  scopeFromLabels: readonly ('tenant' | 'agent' | 'run' | 'tool')[];
  mode: Mode;
  expiresInMs?: number | undefined;
}

/** `${NAME}` replaced by the environment's NAME; a variable that is not set is a config error. */
export function expandVariables(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new EstopError({ code: 'config_invalid', message: `${where} names \${${name}}, which is not set` });
    }
    return value;
  });
}

/** The receivers of the file's `notify` list, with variables expanded and URLs checked. */
export function receiversFrom(file: z.output<typeof NotifyFileSchema> | undefined, env: NodeJS.ProcessEnv): Receiver[] {
  const receivers = (file ?? []).map((entry, index): Receiver => {
    const url = expandVariables(entry.url, env, `notify[${index}].url`);
    if (!/^https?:\/\/./.test(url) || !URL.canParse(url)) {
      throw new EstopError({
        code: 'config_invalid',
        message: `notify[${index}].url must be an http:// or https:// URL`,
      });
    }
    return {
      key: receiverKey(url),
      name: receiverName(url),
      url,
      secret: entry.secret === undefined ? undefined : expandVariables(entry.secret, env, `notify[${index}].secret`),
      events: new Set(entry.events ?? SUBSCRIBABLE),
      format: entry.format,
    };
  });
  if (new Set(receivers.map((receiver) => receiver.key)).size !== receivers.length) {
    throw new EstopError({ code: 'config_invalid', message: 'notify: each receiver needs a URL of its own' });
  }
  return receivers;
}

/** The triggers of the file's `triggers` list. */
export function triggersFrom(file: z.output<typeof TriggerFileSchema> | undefined): TriggerSpec[] {
  return (file ?? []).map((entry) => ({
    alert: entry.alert,
    match: entry.match ?? {},
    scopeFromLabels: entry.scope_from_labels ?? [],
    mode: entry.mode,
    expiresInMs: entry.expires,
  }));
}
