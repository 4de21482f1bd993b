import type { SentinelCounter } from './ports/sentinel-counter.js';
import { SlidingCount } from './sliding-count.js';

/** A `SentinelCounter` in this process's memory: exact, and forgotten on restart. */
export function createMemorySentinelCounter(): SentinelCounter {
  const groups = new Map<string, SlidingCount>();
  return {
    async add(group, nowMs, windowMs, cap) {
      let count = groups.get(group);
      if (count === undefined) {
        count = new SlidingCount(windowMs, cap);
        groups.set(group, count);
      }
      return count.add(nowMs);
    },
    async reset(group) {
      return groups.delete(group);
    },
    prune(nowMs) {
      for (const [group, count] of groups) if (count.isEmpty(nowMs)) groups.delete(group);
    },
  };
}
