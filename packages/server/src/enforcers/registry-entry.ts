import type { EnforcerRecord, EnforcerStore } from '@estop/core';

/** One enforcer as a replica's EnforcerRegistry holds it. */
export interface RegistryEntry {
  record: EnforcerRecord;
  /** The identity (token) that registered it: only it may stream and acknowledge as this enforcer. */
  owner: string;
  /** The tenant the owner's token is bound to: a tenant-bound enforcer is that tenant's. */
  tenant: string | undefined;
  streams: number;
  /** Its record must be written at the next flush: something other replicas read changed. */
  dirty: boolean;
  /**
   * Its version went past what the store shows: the heartbeat's version covers it once every
   * enforcer here applied it; 'seen' once a periodic flush found it still ahead (see RegistrySaver).
   */
  ahead?: 'new' | 'seen' | undefined;
  /** The store refused this record on its own at the last flush: it is tried after the others. */
  refused?: boolean;
}

// A flush saving records one by one gives up after this many refusals in a row with none saved:
// the store itself is away, and trying every record would only hold the flush up.
const REFUSALS_BEFORE_GIVING_UP = 3;

/**
 * Saves records one by one (written by the replica `writer`), those the store refused last time
 * after the others; those refused stay dirty and are told to `onSaveFailed`. Answers how many were
 * saved. Gives up (throwing) after a few refusals in a row with none saved, when the store itself
 * is away, leaving the rest dirty for the next flush.
 */
export async function saveEach(
  store: Pick<EnforcerStore, 'upsert'>,
  writer: string,
  entries: readonly RegistryEntry[],
  onSaveFailed: (ids: string[], error: unknown) => void,
): Promise<number> {
  let failure: unknown;
  let saved = 0;
  const refused: string[] = [];
  const ordered = [...entries].sort((left, right) => Number(left.refused ?? false) - Number(right.refused ?? false));
  for (const [index, entry] of ordered.entries()) {
    if (saved === 0 && refused.length >= REFUSALS_BEFORE_GIVING_UP) {
      for (const rest of ordered.slice(index)) rest.dirty = true;
      throw failure;
    }
    try {
      await store.upsert([{ ...entry.record }], writer);
      entry.refused = false;
      saved += 1;
    } catch (error) {
      failure = error;
      entry.dirty = true;
      entry.refused = true;
      refused.push(entry.record.id);
    }
  }
  if (refused.length === 0) return saved;
  if (saved === 0) throw failure;
  onSaveFailed(refused, failure);
  return saved;
}
