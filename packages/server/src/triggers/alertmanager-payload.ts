import { wellFormedText } from '@estop/core';
import { z } from 'zod';

const text = (max: number) => wellFormedText().max(max);
// Label and annotation maps: Prometheus label names, values of bounded length, at most 100 of them.
const labels = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,199}$/, 'a label name is letters, digits and _'), text(2000))
  .refine((record) => Object.keys(record).length <= 100, 'at most 100 labels');
const annotations = z
  .record(text(200), text(4000))
  .refine((record) => Object.keys(record).length <= 100, 'at most 100 annotations');

/**
 * One alert of Alertmanager's webhook payload (version 4). Fields Alertmanager adds later are
 * let through, as it sends them; those estop reads are bounded.
 */
export const AlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: annotations.default({}),
  startsAt: text(64),
  endsAt: text(64).optional(),
  generatorURL: text(2000).optional(),
  fingerprint: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'a fingerprint is up to 128 letters and digits'),
});

/** Body of `POST /v1/hooks/alertmanager`: Alertmanager's webhook payload, version 4. */
export const AlertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: text(1000).optional(),
  alerts: z.array(AlertSchema).max(1000),
});

/** One alert after validation. */
export type Alert = z.output<typeof AlertSchema>;
